//! `ficus proxy` as a process: it serves from its file, takes `--listen`, reloads on SIGHUP,
//! writes JSON access logs on stdout, stops cleanly on SIGTERM, and exits 2 naming the file and
//! line of an invalid configuration. The upstreams are tiny HTTP/1.1 servers on loopback
//! threads; everything is bounded by [`TIMEOUT`]. (The proxy's behaviour in depth is tested in
//! `strangler-proxy/tests/it/`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

/// An upstream answering every request with `200` and body `name`, on its own thread.
pub(crate) fn upstream(name: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
    let address = listener.local_addr().expect("upstream address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, name));
        }
    });
    address
}

fn serve(mut stream: TcpStream, name: &str) {
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    loop {
        // Requests here have no body: read the head up to the blank line.
        let mut line = String::new();
        let mut saw_request = false;
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            saw_request = true;
            if line == "\r\n" {
                break;
            }
            line.clear();
        }
        if !saw_request {
            return;
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{name}",
            name.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// `GET path` through the proxy on a fresh connection; the response body.
pub(crate) fn get(proxy: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(proxy).expect("connect to the proxy");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_owned()
}

fn config(default_upstream: &str, alpha: SocketAddr, beta: SocketAddr) -> String {
    format!(
        "listen = \"127.0.0.1:9\"\ndefault_upstream = \"{default_upstream}\"\n\n\
         [[upstream]]\nname = \"alpha\"\naddresses = [\"{alpha}\"]\n\n\
         [[upstream]]\nname = \"beta\"\naddresses = [\"{beta}\"]\n"
    )
}

/// The running binary, its address and its stderr lines as they come.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) address: SocketAddr,
    pub(crate) stderr: mpsc::Receiver<String>,
}

pub(crate) fn start(config_path: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(["proxy", "--config"])
        .arg(config_path)
        // The file says port 9; the flag wins.
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ficus proxy");
    let (lines, stderr) = mpsc::channel();
    let pipe = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let banner = wait_for_line(&stderr, "ficus proxy listening on ");
    let address = banner
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|address| address.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    Running {
        child,
        address,
        stderr,
    }
}

pub(crate) fn wait_for_line(stderr: &mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stderr.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => panic!("no stderr line containing {needle:?} within {TIMEOUT:?}"),
        }
    }
}

pub(crate) fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

pub(crate) fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "ficus proxy did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn proxy_serves_reloads_on_sighup_logs_and_stops_on_sigterm() {
    let alpha = upstream("alpha");
    let beta = upstream("beta");
    let folder = tempfile::tempdir().expect("temporary folder");
    let config_path = folder.path().join("proxy.toml");
    std::fs::write(&config_path, config("alpha", alpha, beta)).expect("write config");

    let mut running = start(&config_path);
    assert_eq!(get(running.address, "/products/1"), "alpha");

    // SIGHUP reloads even when the file did not change.
    signal(&running.child, "HUP");
    wait_for_line(&running.stderr, "SIGHUP: reloading the configuration");
    wait_for_line(&running.stderr, "configuration reloaded");
    assert_eq!(get(running.address, "/products/1"), "alpha");

    // An edit is picked up; requests then go to the new default upstream.
    std::fs::write(&config_path, config("beta", alpha, beta)).expect("rewrite config");
    wait_for_line(&running.stderr, "configuration reloaded");
    assert_eq!(get(running.address, "/products/1"), "beta");

    signal(&running.child, "TERM");
    let status = wait_for_exit(&mut running.child);
    assert!(status.success(), "exit status {status:?}");

    // One JSON access-log line per proxied request, on stdout.
    let mut stdout = String::new();
    running
        .child
        .stdout
        .take()
        .expect("stdout piped")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .filter(|record: &serde_json::Value| record["target"] == "ficus::access")
        .collect();
    assert_eq!(records.len(), 3, "{stdout}");
    let upstreams: Vec<&str> = records
        .iter()
        .map(|record| record["upstream"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(upstreams, ["alpha", "alpha", "beta"]);
    assert_eq!(records[0]["route"], "default");
    assert_eq!(records[0]["status"], 200);
    assert_eq!(records[0]["path"], "/products/1");
}

#[test]
fn invalid_config_exits_2_naming_file_line_and_field() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let config_path = folder.path().join("proxy.toml");
    std::fs::write(
        &config_path,
        "default_upstream = \"monolith\"\n\n[[upstream]]\nname = \"monolith\"\n\
         addresses = [\"127.0.0.1:1\"]\n\n[[route]]\nname = \"billing\"\npath = \"/billing/**\"\n\
         targets = [{ upstream = \"payments\" }]\n",
    )
    .expect("write config");
    let output = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(["proxy", "--config"])
        .arg(&config_path)
        .output()
        .expect("run ficus proxy");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "proxy.toml: line 10: route[0].targets[0].upstream: unknown upstream \"payments\""
        ),
        "{stderr}"
    );
}
