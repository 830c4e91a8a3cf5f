"""A local HTTP server for the download tests: nothing outside this machine is reached."""
import http.server
import threading
import urllib.parse
from typing import Dict, List, Optional, Tuple


class FileServer:
    """Serves ``files`` (URL path -> bytes) on 127.0.0.1, honouring ``Range: bytes=N-``
    and ignoring queries, and records each request as ``(path, range header)``. A path in
    ``cut`` sends only that many bytes of what it declares, then closes, as a dropped
    connection does.

        with FileServer({'/a.pth': data}) as server:
            download(server.url + '/a.pth', ...)
    """

    def __init__(self, files: Dict[str, bytes], cut: Optional[Dict[str, int]] = None):
        self.files, self.cut = dict(files), dict(cut or {})
        self.requests: List[Tuple[str, Optional[str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path   # a query is ignored
                data = server.files.get(path)
                server.requests.append((path, self.headers.get('Range')))
                if data is None:
                    self.send_error(404)
                    return
                start = int(self.headers['Range'][6:-1]) if self.headers.get('Range') else 0
                if start >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206 if start else 200)
                self.send_header('Content-Length', str(len(data) - start))
                self.end_headers()
                self.wfile.write(data[start:start + server.cut.get(path, len(data))])
                self.close_connection = path in server.cut

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}'

    def __enter__(self) -> 'FileServer':
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# Nothing listens on port 9 (discard): a download from it fails at once, as offline.
OFFLINE = 'http://127.0.0.1:9'
