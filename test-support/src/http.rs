//! HTTP/1.1 on loopback: a keep-alive client connection written by hand
//! (no dependency), and a server process that prints its address.

use crate::{KillOnDrop, Lines};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long a reply may take before the connection gives up on it.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A reply: its status, `Content-Type` and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// One keep-alive HTTP/1.1 connection; bodies by `Content-Length` or chunked.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    request: Vec<u8>,
}

impl Conn {
    pub fn open(addr: &str) -> Result<Conn, String> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect to {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(|e| e.to_string())?;
        let reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
        Ok(Conn { reader, writer: stream, request: Vec::with_capacity(256) })
    }

    /// One request and its reply; panics when the connection fails (for
    /// tests where any failure is the test's failure).
    pub fn send(&mut self, method: &str, path: &str, body: impl AsRef<[u8]>) -> Reply {
        self.try_send(method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// One request and its reply, or what went wrong on the connection.
    pub fn try_send(&mut self, method: &str, path: &str, body: impl AsRef<[u8]>) -> Result<Reply, String> {
        let body = body.as_ref();
        self.request.clear();
        let _ =
            write!(self.request, "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n", body.len());
        self.request.extend_from_slice(body);
        self.writer.write_all(&self.request).map_err(|e| format!("send: {e}"))?;
        self.read_reply()
    }

    fn read_reply(&mut self) -> Result<Reply, String> {
        let mut line = String::new();
        self.line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not a status line: {line:?}"))?;
        let (mut length, mut chunked, mut content_type) = (0usize, false, String::new());
        loop {
            self.line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!("not a header: {header:?}"));
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().map_err(|_| format!("bad Content-Length {value:?}"))?,
                "content-type" => content_type = value.to_string(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                _ => {}
            }
        }
        let body = if chunked { self.chunked_body(&mut line)? } else { self.exact(length)? };
        let body = String::from_utf8(body).map_err(|_| "a body that is not UTF-8".to_string())?;
        Ok(Reply { status, content_type, body })
    }

    fn chunked_body(&mut self, line: &mut String) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        loop {
            self.line(line)?;
            let size = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size, 16).map_err(|_| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    self.line(line)?;
                    if line.trim_end().is_empty() {
                        return Ok(body);
                    }
                }
            }
            body.extend(self.exact(size)?);
            self.line(line)?;
        }
    }

    fn exact(&mut self, n: usize) -> Result<Vec<u8>, String> {
        let mut buf = vec![0; n];
        self.reader.read_exact(&mut buf).map_err(|e| format!("body: {e}"))?;
        Ok(buf)
    }

    fn line(&mut self, line: &mut String) -> Result<(), String> {
        line.clear();
        match self.reader.read_line(line) {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("read: {e}")),
        }
    }
}

/// `listening on http://ADDR` (how examples/live-server announces itself) → ADDR.
pub fn listening_address(line: &str) -> Option<String> {
    line.trim().strip_prefix("listening on http://").map(str::to_string)
}

/// A server process (killed with its process group when dropped) and the
/// address it printed.
pub struct Server {
    pub process: KillOnDrop,
    pub addr: String,
    /// Its stdout, still followed after the address (so a server that
    /// prints more never blocks on a full pipe).
    pub stdout: Lines,
    /// The index of the address line in `stdout`: the lines before it were
    /// something else (a command that builds first prints more).
    pub addr_line: usize,
}

impl Server {
    /// Starts `command` with its stdout piped and waits up to `timeout` for
    /// its first `listening on http://ADDR` line. Its stderr stays as the
    /// caller set it (inherited or discarded: nothing reads it here).
    pub fn start(command: &mut Command, timeout: Duration) -> Result<Server, String> {
        let mut process = KillOnDrop::spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()))
            .map_err(|e| format!("cannot run {command:?}: {e}"))?;
        let stdout = process.follow_stdout();
        let Some((addr_line, _, addr)) = stdout.wait_for(0, timeout, listening_address) else {
            return Err(format!("{command:?} printed no `listening on http://ADDR` line:\n{}", stdout.text()));
        };
        Ok(Server { process, addr, stdout, addr_line })
    }

    /// A new connection to it; panics when it cannot connect.
    pub fn connect(&self) -> Conn {
        Conn::open(&self.addr).unwrap_or_else(|e| panic!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server that answers two requests on one connection: one reply with
    /// a Content-Length, one chunked.
    #[test]
    fn reads_replies_by_length_and_chunked() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            for reply in [
                "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n",
            ] {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).expect("request line");
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.trim().parse().expect("length");
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                reader.read_exact(&mut vec![0; length]).expect("body");
                writer.write_all(reply.as_bytes()).expect("reply");
            }
        });
        let mut conn = Conn::open(&addr).expect("connect");
        let first = conn.send("PUT", "/kv/a", "value");
        assert_eq!(first, Reply { status: 201, content_type: "text/plain".into(), body: "hello".into() });
        let second = conn.try_send("GET", "/", b"").expect("a chunked reply");
        assert_eq!((second.status, second.body.as_str()), (200, "abcde"));
        server.join().expect("server thread");
        assert!(conn.try_send("GET", "/", b"").is_err(), "the server closed the connection");
    }

    #[test]
    fn finds_the_address_line() {
        assert_eq!(listening_address("listening on http://127.0.0.1:80\n"), Some("127.0.0.1:80".into()));
        assert_eq!(listening_address("Compiling"), None);
    }
}
