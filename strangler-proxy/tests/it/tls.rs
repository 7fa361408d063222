//! TLS on both sides, with certificates made at test time (rcgen, self-signed for `localhost`
//! and 127.0.0.1): the proxy terminates TLS and picks HTTP/2 or HTTP/1.1 by ALPN, marks the
//! request `https` for the upstream; an `https` upstream is reached over TLS with the protocol
//! its ALPN answer chose; an upstream whose certificate is not trusted is not talked to; an
//! unreadable certificate file stops the start with an error naming it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use ficus_proxy::launch::{self, Options};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Proxy, Upstream, client, get, within};

/// A self-signed certificate for `localhost` and 127.0.0.1, written as `cert.pem` and
/// `key.pem` into `folder`.
fn write_certificate(folder: &Path) -> (String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("certificate");
    let cert = certified.cert.pem();
    let key = certified.signing_key.serialize_pem();
    std::fs::write(folder.join("cert.pem"), &cert).expect("write cert");
    std::fs::write(folder.join("key.pem"), &key).expect("write key");
    (cert, key)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(trusted_pem: &str, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(trusted_pem.as_bytes()) {
        roots.add(certificate.expect("PEM")).expect("root");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

fn server_config(cert_pem: &str, key_pem: &str, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("chain");
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("key");
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

/// A TLS upstream offering `alpn`, answering with the HTTP version it saw and its
/// `x-forwarded-proto`.
async fn tls_upstream(cert_pem: &str, key_pem: &str, alpn: &[&[u8]]) -> SocketAddr {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(cert_pem, key_pem, alpn));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = hyper::service::service_fn(
                    |request: Request<hyper::body::Incoming>| async move {
                        let body = format!("tls upstream {:?}", request.version());
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
                    },
                );
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

/// `GET path` over TLS to the proxy with `alpn` offered: the HTTP version used and the body.
async fn get_over_tls(
    proxy: SocketAddr,
    trusted_pem: &str,
    alpn: &[&[u8]],
    path: &str,
) -> (http::Version, String) {
    within(async {
        let connector = tokio_rustls::TlsConnector::from(client_config(trusted_pem, alpn));
        let tcp = TcpStream::connect(proxy).await.expect("connect");
        let server_name = ServerName::try_from("localhost").expect("name");
        let stream = connector
            .connect(server_name, tcp)
            .await
            .expect("TLS handshake");
        let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        let io = TokioIo::new(stream);
        let request = Request::get(format!("https://localhost{path}"))
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .expect("request");
        let response = if h2 {
            let (mut sender, connection) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                    .await
                    .expect("h2 handshake");
            tokio::spawn(connection);
            sender.send_request(request).await.expect("response")
        } else {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
                .await
                .expect("h1 handshake");
            tokio::spawn(connection);
            let (mut parts, body) = request.into_parts();
            parts.uri = path.parse().expect("origin form");
            sender
                .send_request(Request::from_parts(parts, body))
                .await
                .expect("response")
        };
        let version = response.version();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (version, String::from_utf8_lossy(&body).into_owned())
    })
    .await
}

fn proxy_tls_config(monolith: SocketAddr) -> String {
    format!(
        "default_upstream = \"monolith\"\n\n[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n\n\
         [[upstream]]\nname = \"monolith\"\naddresses = [\"{monolith}\"]\n"
    )
}

/// Starts the proxy from `config` in a folder that already holds the certificate files.
async fn start_in(folder: &tempfile::TempDir, config: &str) -> launch::RunningProxy {
    let config_path = folder.path().join("proxy.toml");
    std::fs::write(&config_path, config).expect("write config");
    launch::start(Options {
        config_path,
        listen: Some("127.0.0.1:0".parse().expect("address")),
        workers: 1,
    })
    .await
    .unwrap_or_else(|error| panic!("proxy starts: {error}"))
}

#[tokio::test]
async fn proxy_terminates_tls_with_http2_or_http1_by_alpn_and_marks_requests_https() {
    let folder = tempfile::tempdir().expect("folder");
    let (cert, _key) = write_certificate(folder.path());
    let monolith = Upstream::echo("monolith").await;
    let proxy = start_in(&folder, &proxy_tls_config(monolith.addr)).await;

    for (alpn, expected_version) in [
        (&[b"h2".as_slice(), b"http/1.1"][..], http::Version::HTTP_2),
        (&[b"http/1.1".as_slice()][..], http::Version::HTTP_11),
    ] {
        let (version, body) = get_over_tls(proxy.listen_addr, &cert, alpn, "/orders/1").await;
        assert_eq!(version, expected_version);
        let echoed: serde_json::Value = serde_json::from_str(&body).expect("echo JSON");
        assert_eq!(echoed["path"], "/orders/1");
        assert_eq!(echoed["headers"]["x-forwarded-proto"][0], "https", "{body}");
        assert_eq!(echoed["headers"]["host"][0], "localhost", "{body}");
        assert!(
            echoed["headers"]["forwarded"][0]
                .as_str()
                .unwrap_or_default()
                .contains("proto=https"),
            "{body}"
        );
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn https_upstream_is_reached_over_tls_with_the_protocol_its_alpn_chose() {
    let folder = tempfile::tempdir().expect("folder");
    let (cert, key) = write_certificate(folder.path());
    let h2_upstream = tls_upstream(&cert, &key, &[b"h2", b"http/1.1"]).await;
    let h1_upstream = tls_upstream(&cert, &key, &[b"http/1.1"]).await;
    let monolith = Upstream::named("monolith").await;
    let config = format!(
        "default_upstream = \"monolith\"\n\n\
         [[upstream]]\nname = \"monolith\"\naddresses = [\"{}\"]\n\n\
         [[upstream]]\nname = \"h2\"\naddresses = [\"{h2_upstream}\"]\nprotocol = \"https\"\nca_file = \"cert.pem\"\nserver_name = \"localhost\"\n\n\
         [[upstream]]\nname = \"h1\"\naddresses = [\"{h1_upstream}\"]\nprotocol = \"https\"\nca_file = \"cert.pem\"\n\n\
         [[route]]\nname = \"h2\"\npath = \"/h2/**\"\ntargets = [{{ upstream = \"h2\" }}]\nfallback = false\n\n\
         [[route]]\nname = \"h1\"\npath = \"/h1/**\"\ntargets = [{{ upstream = \"h1\" }}]\nfallback = false\n",
        monolith.addr
    );
    let proxy = Proxy::start_in_folder(folder, &config).await;
    let client = client();

    for _ in 0..3 {
        let reply = get(&client, &proxy.url("/h2/a"), &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.text(), "tls upstream HTTP/2.0");
        // No server_name: the address's host, 127.0.0.1, is checked against the certificate.
        let reply = get(&client, &proxy.url("/h1/a"), &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.text(), "tls upstream HTTP/1.1");
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn https_upstream_with_an_untrusted_certificate_is_a_502() {
    let folder = tempfile::tempdir().expect("folder");
    let (cert, key) = write_certificate(folder.path());
    let upstream = tls_upstream(&cert, &key, &[b"http/1.1"]).await;
    let monolith = Upstream::named("monolith").await;
    // No ca_file: the Mozilla roots, which do not know this self-signed certificate.
    let config = format!(
        "default_upstream = \"monolith\"\n\n\
         [[upstream]]\nname = \"monolith\"\naddresses = [\"{}\"]\n\n\
         [[upstream]]\nname = \"svc\"\naddresses = [\"{upstream}\"]\nprotocol = \"https\"\n\n\
         [[route]]\nname = \"svc\"\npath = \"/svc/**\"\ntargets = [{{ upstream = \"svc\" }}]\nfallback = false\n",
        monolith.addr
    );
    let proxy = Proxy::start_in_folder(folder, &config).await;
    let reply = get(&client(), &proxy.url("/svc/a"), &[]).await;
    assert_eq!(reply.status, 502, "{}", reply.text());
    assert_eq!(reply.headers["x-ficus-error"], "upstream_unreachable");
    proxy.shutdown().await;
}

#[tokio::test]
async fn missing_certificate_file_stops_the_start_naming_it() {
    let folder = tempfile::tempdir().expect("folder");
    let config_path = folder.path().join("proxy.toml");
    std::fs::write(
        &config_path,
        proxy_tls_config("127.0.0.1:1".parse().expect("address")),
    )
    .expect("write config");
    let error = launch::start(Options {
        config_path,
        listen: Some("127.0.0.1:0".parse().expect("address")),
        workers: 1,
    })
    .await
    .err()
    .expect("no certificate, no start");
    let message = error.to_string();
    assert!(message.contains("cert.pem"), "{message}");
}
