"""``SummaryWriter``: logs scalars, histograms, images, text, hparams (and, via
``_writer_more``, embeddings, PR curves, audio, ...) to TensorBoard event files, written by
ember itself (no TensorFlow, no ``tensorboard`` package needed).

Layout matches torch.utils.tensorboard: one ``events.out.tfevents.<time>.<host>.<pid>.<n>``
file per directory, ``add_scalars`` sub-directories ``<log_dir>/<main_tag>_<tag>``, ``add_hparams``
runs in ``<log_dir>/<run_name>``."""
import atexit
import os
import socket
import threading
import time
import warnings
import weakref
from datetime import datetime

from . import _proto as pb
from . import _summary
from ._records import frame
from ._writer_more import MoreSummariesMixin

__all__ = ['SummaryWriter', 'FileWriter']

_file_counter = iter(range(1 << 62))     # the <n> in event file names, process-wide
_counter_lock = threading.Lock()
_open_files = weakref.WeakSet()


class FileWriter:
    """Appends framed ``Event`` records to one new event file in ``log_dir``.

    Events are encoded by the caller, so a bad value fails before anything is written. Written
    records reach the disk on ``flush()``, once ``max_queue`` records are pending, every
    ``flush_secs`` seconds (a daemon thread) and at ``close()`` or interpreter exit."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=''):
        log_dir = str(log_dir)
        os.makedirs(log_dir, exist_ok=True)
        with _counter_lock:
            uid = next(_file_counter)
        name = 'events.out.tfevents.%010d.%s.%s.%s' % (
            time.time(), socket.gethostname(), os.getpid(), uid)
        self._log_dir = log_dir
        self._path = os.path.join(log_dir, name) + filename_suffix
        self._file = open(self._path, 'wb')
        self._lock = threading.Lock()
        self._max_queue = max_queue
        self._pending = 0
        self._closed = False
        self._stop = threading.Event()
        self._write(pb.event(time.time(), file_version='brain.Event:2',
                             source_writer='ember.utils.tensorboard'))
        self.flush()
        _open_files.add(self)
        self._thread = threading.Thread(target=_flush_every, args=(weakref.ref(self), self._stop,
                                                                  flush_secs), daemon=True)
        self._thread.start()

    def get_logdir(self):
        """The directory this writer's event file lives in."""
        return self._log_dir

    @property
    def path(self):
        """Full path of the event file."""
        return self._path

    def add_event(self, event, step=None, walltime=None):
        """Append one ``tensorboard.Event``: a protobuf message (its ``wall_time`` and ``step``
        are set from ``walltime``, default now, and ``step``, as torch does) or the bytes of
        an already encoded Event (written as is)."""
        if hasattr(event, 'SerializeToString'):
            event.wall_time = time.time() if walltime is None else walltime
            if step is not None:
                event.step = int(step)
            event = event.SerializeToString()
        self._write(bytes(event))

    def add_summary(self, summary, global_step=None, walltime=None):
        """Wrap a ``Summary`` (protobuf message or encoded bytes) in an Event stamped with
        ``walltime`` (default: now) and ``global_step``."""
        if hasattr(summary, 'SerializeToString'):
            summary = summary.SerializeToString()
        wall = time.time() if walltime is None else walltime
        step = None if global_step is None else int(global_step)
        self._write(pb.event(wall, step=step, summary=bytes(summary)))

    def _write(self, event):
        record = frame(event)
        with self._lock:
            if self._closed:
                raise OSError('Writer is closed')
            self._file.write(record)
            self._pending += 1
            if self._pending >= self._max_queue:
                self._flush_locked()

    def _flush_locked(self):
        self._file.flush()
        self._pending = 0

    def flush(self):
        """Write everything added so far to disk."""
        with self._lock:
            if self._closed:
                raise OSError('Writer is closed')
            self._flush_locked()

    def _flush_if_pending(self):
        with self._lock:
            if not self._closed and self._pending:
                self._flush_locked()

    def close(self):
        """Flush and close the file; later writes raise ``OSError``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._file.flush()
            self._file.close()
        self._stop.set()
        _open_files.discard(self)


def _flush_every(ref, stop, seconds):
    """Background flush loop of one FileWriter; ends when it is closed or collected."""
    while not stop.wait(seconds):
        writer = ref()
        if writer is None:
            return
        writer._flush_if_pending()
        del writer


@atexit.register
def _flush_all_at_exit():
    for writer in list(_open_files):
        try:
            writer._flush_if_pending()
        except Exception:   # noqa: BLE001 - a failing file must not block the others at exit
            pass


class SummaryWriter(MoreSummariesMixin):
    """Writes TensorBoard event files under ``log_dir`` (default
    ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``), as ``torch.utils.tensorboard.SummaryWriter``.
    Besides the methods here, ``MoreSummariesMixin`` adds embeddings, PR curves, audio, custom
    scalars, raw tensors, meshes, images with boxes and videos.

    ``purge_step``: TensorBoard drops events with step >= purge_step already in the directory
    (crash-and-resume). ``max_queue``: pending events before an add forces a flush.
    ``flush_secs``: how often pending events are flushed. ``filename_suffix`` ends the event
    file names."""

    def __init__(self, log_dir=None, comment='', purge_step=None, max_queue=10,
                 flush_secs=120, filename_suffix=''):
        if not log_dir:
            stamp = datetime.now().strftime('%b%d_%H-%M-%S')
            log_dir = os.path.join('runs', stamp + '_' + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.default_bins()

    def _get_file_writer(self):
        """The writer of ``log_dir`` itself; a new event file is opened after ``close()``."""
        if self.all_writers is None or self.file_writer is None:
            fw = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.file_writer = fw
            self.all_writers = {fw.get_logdir(): fw}
            if self.purge_step is not None:
                step = self.purge_step
                fw._write(pb.event(time.time(), step=step, file_version='brain.Event:2'))
                fw._write(pb.event(time.time(), step=step,
                                      session_log=pb.session_log(pb.SESSION_START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """Return the directory where event files are written."""
        return self.log_dir

    # ---- scalars ----------------------------------------------------------------------------

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number (Python/NumPy scalar or one-element tensor/array) under ``tag``."""
        summary = _summary.scalar(tag, scalar_value, new_style=new_style,
                                  double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers on one chart: each ``tag`` goes to its own sub-directory run
        ``<log_dir>/<main_tag>_<tag>`` under the shared tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        summaries = [(root + '/' + main_tag.replace('/', '_') + '_' + tag,
                      _summary.scalar(main_tag, value))
                     for tag, value in tag_scalar_dict.items()]
        for sub_dir, summary in summaries:
            fw = self.all_writers.get(sub_dir)
            if fw is None:
                fw = FileWriter(sub_dir, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[sub_dir] = fw
            fw.add_summary(summary, global_step, walltime)

    # ---- histograms -------------------------------------------------------------------------

    def add_histogram(self, tag, values, global_step=None, bins='tensorflow', walltime=None,
                      max_bins=None):
        """Log the distribution of ``values``. ``bins``: 'tensorflow' (exponential buckets
        around 0), or anything ``numpy.histogram`` accepts ('auto', 'fd', an int, edges)."""
        if isinstance(bins, str) and bins == 'tensorflow':
            bins = self.default_bins
        summary = _summary.histogram(tag, values, bins, max_bins=max_bins)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,  # noqa: A002
                          bucket_counts, global_step=None, walltime=None):
        """Log a histogram already reduced to statistics and right bucket edges/counts."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError('len(bucket_limits) != len(bucket_counts), see the document.')
        summary = _summary.histogram_raw(tag, min, max, num, sum, sum_squares,
                                         bucket_limits, bucket_counts)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ---- images -----------------------------------------------------------------------------

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats='CHW'):
        """Log one image: float values in [0, 1] (scaled by 255) or uint8 in [0, 255];
        ``dataformats`` names the layout ('CHW', 'HWC', 'HW', ...)."""
        summary = _summary.image(tag, img_tensor, dataformats=dataformats)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats='NCHW'):
        """Log a batch of images tiled into one grid (8 per row)."""
        summary = _summary.image(tag, img_tensor, dataformats=dataformats)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Render a matplotlib figure (or a list of them, as a grid) and log it as an image."""
        if isinstance(figure, list):
            import numpy as np
            img = np.stack([_summary.figure_to_chw(f, close) for f in figure])
            self.add_image(tag, img, global_step, walltime, dataformats='NCHW')
        else:
            self.add_image(tag, _summary.figure_to_chw(figure, close), global_step, walltime,
                           dataformats='CHW')

    # ---- text, hparams, graph ---------------------------------------------------------------

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a (markdown) string under ``<tag>/text_summary``."""
        self._get_file_writer().add_summary(_summary.text(tag, text_string), global_step,
                                            walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one hyper-parameter set and its metrics for the HPARAMS tab, in the run
        ``<log_dir>/<run_name>`` (default: the current time)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError('hparam_dict and metric_dict should be dictionary.')
        exp, ssi, sei = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        scalars = [(k, _summary.scalar(k, v)) for k, v in metric_dict.items()]
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            for summary in (exp, ssi, sei):
                w_hp.file_writer.add_summary(summary, global_step)
            for _, summary in scalars:
                w_hp.file_writer.add_summary(summary, global_step)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Not available: torch builds the graph by TorchScript-tracing ``model``, and ember has
        no tracer. Warns and writes nothing, so training scripts keep running."""
        warnings.warn('SummaryWriter.add_graph: ember has no TorchScript tracer to build the '
                      'model graph from; no graph was written.', UserWarning, stacklevel=2)

    # ---- lifetime ---------------------------------------------------------------------------

    def flush(self):
        """Write all pending events of every event file of this writer to disk."""
        if self.all_writers is None:
            return
        for fw in self.all_writers.values():
            fw.flush()

    def close(self):
        """Flush and close every event file; a later ``add_*`` opens a new file."""
        if self.all_writers is None:
            return
        for fw in self.all_writers.values():
            fw.flush()
            fw.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
