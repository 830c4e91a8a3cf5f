"""Downloads into a cache: the file a URL names, kept only when checked, and refusals that
name the URL and where the file goes (the estimator's published weights test the rest:
tests/pose/test_pose_weights.py)."""
import os

import pytest

from posegraph.io import OutputPathError
from posegraph.io.download import DownloadError, download, url_file_name
from file_server import OFFLINE, FileServer


def test_a_url_names_its_file_without_query_or_fragment():
    assert url_file_name('https://host/models/resnet50-11ad3fa6.pth') == 'resnet50-11ad3fa6.pth'
    assert url_file_name('https://host/a/b.pth?token=x#part') == 'b.pth'
    with pytest.raises(DownloadError, match=r'https://host/models/: names no file'):
        url_file_name('https://host/models/')


def test_kept_once_checked_and_refused_files_are_not_kept(tmp_path):
    with FileServer({'/a.bin': b'weights', '/page.html': b'<html>moved</html>'}) as server:
        path = download(server.url + '/a.bin', str(tmp_path / 'cache' / 'a.bin'))
        assert open(path, 'rb').read() == b'weights'
        assert download(server.url + '/a.bin', path) == path and len(server.requests) == 1

        def problem(part):
            return 'a web page' if open(part, 'rb').read().startswith(b'<html>') else None

        with pytest.raises(DownloadError, match=r'/page.html gave a file that is not a '
                                                r'checkpoint \(a web page\); it was removed'):
            download(server.url + '/page.html', str(tmp_path / 'page.bin'), check=problem,
                     expected='a checkpoint')
    assert sorted(os.listdir(tmp_path)) == ['cache']


def test_offline_says_where_to_put_the_file_and_keeps_nothing_half_named(tmp_path):
    target = tmp_path / 'w.pth'
    with pytest.raises(DownloadError, match=rf'cannot download {OFFLINE}/w.pth \(.*\); '
                                            rf'download it where you can and put it at '
                                            rf'{target}, or else\.$'):
        download(f'{OFFLINE}/w.pth', str(target), instead=', or else')
    assert not target.exists()
    # A download that broke before is kept for the next try, and the error says so.
    (tmp_path / 'w.pth.part').write_bytes(bytes(3 << 19))
    with pytest.raises(DownloadError, match=rf'put it at {target}\. What was fetched so far '
                                            rf'\(1\.5 MB\) is kept in {target}\.part and '
                                            r'continued next time\.$'):
        download(f'{OFFLINE}/w.pth', str(target))
    assert (tmp_path / 'w.pth.part').stat().st_size == 3 << 19
    (tmp_path / 'blocked').write_text('a file where the cache folder belongs')
    with pytest.raises(OutputPathError, match='blocked: a file is in the way of the folder '
                                              'for downloads'):
        download(f'{OFFLINE}/w.pth', str(tmp_path / 'blocked' / 'w.pth'))


def test_another_url_of_the_same_file_name_is_refused_not_answered_with_the_cached_file(
        tmp_path):
    cache = str(tmp_path / 'v.pth')
    with FileServer({'/v1/v.pth': b'one', '/v2/v.pth': b'two'}) as server:
        assert download(server.url + '/v1/v.pth?token=a', cache) == cache
        assert open(cache, 'rb').read() == b'one'
        # The same file with another token (a signed URL) is the cached one.
        assert download(server.url + '/v1/v.pth?token=b', cache) == cache
        with pytest.raises(DownloadError, match=rf'v.pth holds the download of {server.url}/v1/'
                                                rf'v.pth, another file of the same name as '
                                                rf'{server.url}/v2/v.pth: move it away'):
            download(server.url + '/v2/v.pth', cache)
        assert len(server.requests) == 1
    # A file put there by hand (the advice when offline) has no record and is taken.
    os.remove(cache + '.url')
    assert download(OFFLINE + '/v2/v.pth', cache) == cache


def test_a_download_cut_short_is_kept_and_finished_by_the_next_call(tmp_path):
    data = bytes(range(256)) * 8
    target = tmp_path / 'w.pth'
    with FileServer({'/w.pth': data}, cut={'/w.pth': 100}) as server:
        with pytest.raises(DownloadError, match=r'\(the download stopped at 100 of 2048 bytes\)'
                                                r'.* is kept in .*w\.pth\.part and continued'):
            download(server.url + '/w.pth', str(target))
        assert (tmp_path / 'w.pth.part').read_bytes() == data[:100] and not target.exists()
        server.cut.clear()
        assert download(server.url + '/w.pth', str(target)) == str(target)
        assert target.read_bytes() == data and not (tmp_path / 'w.pth.part').exists()
        assert server.requests == [('/w.pth', None), ('/w.pth', 'bytes=100-')]


def test_a_part_file_that_holds_everything_is_checked_and_kept(tmp_path):
    # It broke after the last byte, before it took its name: the server has nothing left
    # to send (416), and the check decides.
    (tmp_path / 'w.pth.part').write_bytes(b'weights')
    with FileServer({'/w.pth': b'weights'}) as server:
        path = download(server.url + '/w.pth', str(tmp_path / 'w.pth'),
                        check=lambda part: None if open(part, 'rb').read() == b'weights'
                        else 'changed')
        assert server.requests == [('/w.pth', 'bytes=7-')]
    assert open(path, 'rb').read() == b'weights'
    assert sorted(os.listdir(tmp_path)) == ['w.pth', 'w.pth.url']
