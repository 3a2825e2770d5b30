"""Thread setup shared by the benchmarks; import it before NumPy and torch.

PyTorch (OpenMP) and NumPy (OpenBLAS) each keep a pool of worker threads, and both pools
busy-wait after their work. In one process on a 2-core machine they take the cores from each
other and the timings become noise (a 1 ms GEMM measured at 20 ms). So both libraries run
with the same number of threads, 1 by default; set BENCH_THREADS=n to change it."""
import os

THREADS = int(os.environ.get('BENCH_THREADS', '1'))
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(THREADS)


def setup_torch(torch):
    torch.set_num_threads(THREADS)
