"""ember.hub: torch.hub's weights functions, local only (folders, file:// copies, clear offline errors)."""
import hashlib
import os
import pathlib

import pytest
import torch
import torch.hub

import ember
import ember.hub as hub

URL = 'https://download.pytorch.org/models/tiny-0123abcd.pth'


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch):
    """No hub variables, a fresh HOME, and no set_dir left over (in ember and in torch)."""
    for name in ('EMBER_HOME', 'TORCH_HOME', 'XDG_CACHE_HOME', 'TORCH_HUB'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setattr(hub, '_hub_dir', None)
    monkeypatch.setattr(torch.hub, '_hub_dir', None)


def test_module_and_names():
    assert ember.hub is hub
    assert sorted(hub.__all__) == sorted(torch.hub.__all__)
    assert hub.HASH_REGEX.search('resnet18-f37072fd.pth').group(1) == 'f37072fd'


def test_get_dir_follows_the_environment_like_torch(tmp_path, monkeypatch):
    home = str(tmp_path / 'home')
    assert hub.get_dir() == torch.hub.get_dir() == os.path.join(home, '.cache', 'torch', 'hub')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    assert hub.get_dir() == torch.hub.get_dir() == str(tmp_path / 'xdg' / 'torch' / 'hub')
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    assert hub.get_dir() == torch.hub.get_dir() == str(tmp_path / 'th' / 'hub')
    monkeypatch.setenv('EMBER_HOME', str(tmp_path / 'eh'))             # ember's own folder comes first
    assert hub.get_dir() == str(tmp_path / 'eh' / 'hub')
    hub.set_dir('~/mine')
    torch.hub.set_dir('~/mine')
    assert hub.get_dir() == torch.hub.get_dir() == os.path.join(home, 'mine')
    hub.set_dir(pathlib.Path(tmp_path / 'p'))
    assert hub.get_dir() == str(tmp_path / 'p')


def _put(folder, name='tiny-0123abcd.pth', obj=None, how='ember'):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    obj = obj if obj is not None else {'w': ember.arange(3.)}
    if how == 'ember':
        ember.save(obj, str(path))
    else:
        state = {k: torch.from_numpy(v.numpy().copy()) for k, v in obj.items()}
        torch.save(state, path, _use_new_zipfile_serialization=(how == 'torch'))
    return path


@pytest.mark.parametrize('how', ['ember', 'torch', 'torch-legacy'])
def test_load_state_dict_from_url_reads_the_local_copy(tmp_path, monkeypatch, how):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    _put(tmp_path / 'th' / 'hub' / 'checkpoints', how=how)
    out = hub.load_state_dict_from_url(URL, progress=False, check_hash=True, map_location='cpu')
    assert out['w'].tolist() == [0., 1., 2.] and out['w'].dtype == ember.float32
    _put(tmp_path / 'elsewhere', 'other.pth', {'w': ember.ones(2)}, how=how)
    out = hub.load_state_dict_from_url(URL, model_dir=str(tmp_path / 'elsewhere'), file_name='other.pth')
    assert out['w'].tolist() == [1., 1.]


def test_search_order_set_dir_then_ember_home_then_torch(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    monkeypatch.setenv('EMBER_HOME', str(tmp_path / 'eh'))
    _put(tmp_path / 'th' / 'hub' / 'checkpoints', obj={'w': ember.zeros(1)})
    assert hub.load_state_dict_from_url(URL)['w'].tolist() == [0.]
    _put(tmp_path / 'eh' / 'hub' / 'checkpoints', obj={'w': ember.ones(1)})
    assert hub.load_state_dict_from_url(URL)['w'].tolist() == [1.]
    hub.set_dir(tmp_path / 'set')
    _put(tmp_path / 'set' / 'checkpoints', obj={'w': ember.full((1,), 2.)})
    assert hub.load_state_dict_from_url(URL)['w'].tolist() == [2.]
    from ember.vision.models import _hub                     # the vision weights use the same lookup
    assert _hub.find_weights_file(URL) == str(tmp_path / 'set' / 'checkpoints' / 'tiny-0123abcd.pth')


def test_missing_file_names_file_folder_and_url(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    with pytest.raises(FileNotFoundError) as e:
        hub.load_state_dict_from_url(URL)
    msg = str(e.value)
    for part in ('tiny-0123abcd.pth', str(tmp_path / 'th' / 'hub' / 'checkpoints'), URL, 'never downloads'):
        assert part in msg
    with pytest.raises(FileNotFoundError, match=f"(?s)'x.pth' was not found.*{tmp_path / 'md'}"):
        hub.load_state_dict_from_url(URL, model_dir=str(tmp_path / 'md'), file_name='x.pth')
    assert not (tmp_path / 'th' / 'hub' / 'checkpoints').exists()       # nothing created


def test_file_urls_are_copied_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    src = _put(tmp_path / 'src', 'tiny.pth', how='torch-legacy')
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    named = src.with_name(f'tiny-{digest[:8]}.pth')
    named.write_bytes(src.read_bytes())
    out = hub.load_state_dict_from_url(named.as_uri(), check_hash=True)
    cached = tmp_path / 'th' / 'hub' / 'checkpoints' / named.name
    assert out['w'].tolist() == [0., 1., 2.] and cached.read_bytes() == src.read_bytes()
    wrong = src.with_name('tiny-deadbeef.pth')
    wrong.write_bytes(src.read_bytes())
    with pytest.raises(RuntimeError, match='invalid hash value'):
        hub.load_state_dict_from_url(wrong.as_uri(), check_hash=True)
    assert not (cached.parent / wrong.name).exists()
    assert hub.load_state_dict_from_url(wrong.as_uri(), model_dir=str(tmp_path / 'md'))['w'].tolist() == [0., 1., 2.]


def test_download_url_to_file(tmp_path):
    src = tmp_path / 'a.bin'
    src.write_bytes(b'hello' * 1000)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    dst = tmp_path / 'out' / 'b.bin'
    dst.parent.mkdir()
    hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix=digest[:10], progress=False)
    assert dst.read_bytes() == src.read_bytes()
    dst.write_bytes(b'old')
    with pytest.raises(RuntimeError) as e:
        hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix='0000')
    with pytest.raises(RuntimeError) as t:
        torch.hub.download_url_to_file(src.as_uri(), str(tmp_path / 'torch.bin'), hash_prefix='0000', progress=False)
    assert str(e.value) == str(t.value) and dst.read_bytes() == b'old'    # a failed copy leaves dst alone
    assert sorted(os.listdir(dst.parent)) == ['b.bin']
    with pytest.raises(RuntimeError) as e:
        hub.download_url_to_file(URL, str(dst))
    assert 'never downloads' in str(e.value) and URL in str(e.value) and str(dst) in str(e.value)
    with pytest.raises(FileNotFoundError):
        hub.download_url_to_file((tmp_path / 'nope').as_uri(), str(dst))
    assert dst.read_bytes() == b'old'


@pytest.mark.parametrize('call', [lambda: hub.load('pytorch/vision', 'resnet18', weights=None),
                                  lambda: hub.load('.', 'model', source='local'),
                                  lambda: hub.list('pytorch/vision'),
                                  lambda: hub.help('pytorch/vision', 'resnet18')])
def test_hub_repositories_are_refused(call):
    with pytest.raises(RuntimeError, match='ember cannot load hub repositories'):
        call()
