"""The rest of ``SummaryWriter``'s ``add_*`` methods (embeddings, PR curves, audio, custom
scalars, raw tensors, meshes, images with boxes, videos), kept in a mixin so that
``writer.py`` stays short. Every method encodes its summary before anything is written."""
import os

from . import _media, _projector, _summary_more
from ._summary import to_numpy


class MoreSummariesMixin:
    """Methods mixed into ``SummaryWriter``; they rely on its ``_get_file_writer()``."""

    def _add(self, summary, global_step=None, walltime=None):
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ---- tensors, PR curves, audio ---------------------------------------------------------

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        """Log the whole ``tensor`` (an ember tensor) as a TensorProto under ``tag``."""
        self._add(_summary_more.tensor_proto(tag, tensor), global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Log a precision-recall curve of binary ``labels`` against ``predictions`` (the
        probabilities of the positive class, in [0, 1]) at ``num_thresholds`` (at most 127)
        evenly spaced thresholds; ``weights`` weigh each example."""
        labels, predictions = to_numpy(labels), to_numpy(predictions)
        summary = _summary_more.pr_curve(tag, labels, predictions, num_thresholds, weights)
        self._add(summary, global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         global_step=None, num_thresholds=127, weights=None, walltime=None):
        """Log a precision-recall curve already reduced to its six per-threshold rows
        (``weights`` is accepted for signature compatibility and unused, as in torch)."""
        summary = _summary_more.pr_curve_raw(
            tag, true_positive_counts, false_positive_counts, true_negative_counts,
            false_negative_counts, precision, recall, num_thresholds)
        self._add(summary, global_step, walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Log a mono sound clip (1 x L, values in [-1, 1]) as a 16-bit WAV."""
        self._add(_summary_more.audio(tag, snd_tensor, sample_rate=sample_rate), global_step,
                  walltime)

    # ---- custom scalars --------------------------------------------------------------------

    def add_custom_scalars(self, layout):
        """Group scalar tags into charts of the CUSTOM SCALARS tab. ``layout``:
        ``{category: {title: ['Multiline', [tags]] or ['Margin', [value, lower, upper]]}}``."""
        self._add(_summary_more.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category='default', title='untitled'):
        """A custom-scalars layout of one chart plotting all ``tags`` together."""
        self._add(_summary_more.custom_scalars({category: {title: ['Multiline', tags]}}))

    def add_custom_scalars_marginchart(self, tags, category='default', title='untitled'):
        """A custom-scalars layout of one margin chart: ``tags`` = [value, lower, upper]."""
        if len(tags) != 3:
            raise AssertionError(f'Expected 3 tags, got {len(tags)}.')
        self._add(_summary_more.custom_scalars({category: {title: ['Margin', tags]}}))

    # ---- meshes, boxes, videos -------------------------------------------------------------

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None,
                 global_step=None, walltime=None):
        """Log a 3-D mesh or point cloud: ``vertices`` B x N x 3 coordinates, optional
        ``colors`` (B x N x 3) and ``faces`` (B x F x 3 vertex indices); ``config_dict``
        configures the three.js camera, lights and materials."""
        self._add(_summary_more.mesh(tag, vertices, colors, faces, config_dict), global_step,
                  walltime)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None,
                             walltime=None, rescale=1, dataformats='CHW', labels=None):
        """Log an image with boxes (N x 4 rows of x_min, y_min, x_max, y_max) drawn in red;
        ``labels`` (one string per box) are written on them. Needs Pillow."""
        if labels is not None:
            if isinstance(labels, str):
                labels = [labels]
            if len(labels) != box_tensor.shape[0]:
                labels = None
        summary = _media.image_boxes(tag, img_tensor, box_tensor, rescale=rescale,
                                     dataformats=dataformats, labels=labels)
        self._add(summary, global_step, walltime)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Log a video (N x T x C x H x W) as an animated GIF. Needs moviepy (with its
        ``editor`` module); without it a message is printed and only the tag is logged."""
        self._add(_media.video(tag, vid_tensor, fps), global_step, walltime)

    # ---- embedding projector ---------------------------------------------------------------

    @staticmethod
    def _encode(rawstr):
        return _projector.encode_tag(rawstr)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None,
                      tag='default', metadata_header=None):
        """Add points (``mat``: N x D) to the PROJECTOR tab, with optional labels
        (``metadata``: N values, or N rows of columns named by ``metadata_header``) and
        thumbnails (``label_img``: N x C x H x W in [0, 1]). Files go to
        ``<log_dir>/<global_step:05d>/<tag>``; ``projector_config.pbtxt`` lists every
        embedding this writer added."""
        mat = to_numpy(mat)
        if global_step is None:
            global_step = 0
        subdir = f'{str(global_step).zfill(5)}/{_projector.encode_tag(tag)}'
        log_dir = self._get_file_writer().get_logdir()
        save_path = os.path.join(log_dir, subdir)
        if os.path.exists(save_path):
            if not os.path.isdir(save_path):
                raise NotADirectoryError(
                    f'Path: `{save_path}` exists, but is a file. Cannot proceed.')
            print('warning: Embedding dir exists, did you set global_step for add_embedding()?')
        files = {}
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError('#labels should equal with #data points')
            files['metadata.tsv'] = _projector.metadata_tsv(metadata, metadata_header)
        if label_img is not None:
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError('#images should equal with #data points')
            files['sprite.png'] = _projector.sprite_png(label_img)
        if mat.ndim != 2:
            raise AssertionError(
                'mat should be 2D, where mat.size(0) is the number of data points')
        files['tensors.tsv'] = _projector.tensors_tsv(mat)
        info = _projector.embedding_info(tag, global_step, subdir, metadata, label_img)
        infos = getattr(self, '_projector_infos', []) + [info]
        os.makedirs(save_path, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(save_path, name), 'wb') as f:
                f.write(data)
        with open(os.path.join(log_dir, 'projector_config.pbtxt'), 'wb') as f:
            f.write(_projector.config_pbtxt(infos))
        self._projector_infos = infos
