//! TLS on both sides, with rustls (ring provider): the listener's server configuration from
//! `[tls]` (certificate chain and key from PEM files, ALPN `h2` then `http/1.1`), and the
//! client configuration of an `https` upstream (Mozilla roots or its own `ca_file`, the same
//! ALPN offer). Files are read when the proxy starts or an upstream is (re)built; errors name
//! the file. It does not reload certificates on their own, do client certificates (mTLS),
//! OCSP stapling or session tickets across restarts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::settings::{ListenerTls, UpstreamTls};

/// The ALPN protocols offered and accepted, most preferred first.
pub const ALPN_PROTOCOLS: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}: {message}", file.display())]
    File { file: PathBuf, message: String },
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The listener's TLS configuration.
pub fn server_config(tls: &ListenerTls) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = read_certificates(&tls.cert)?;
    let key_pem = read(&tls.key)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| TlsError::File {
        file: tls.key.clone(),
        message: format!("no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {error}"),
    })?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = ALPN_PROTOCOLS.iter().map(|alpn| alpn.to_vec()).collect();
    Ok(Arc::new(config))
}

/// The client TLS configuration of an `https` upstream.
pub fn client_config(tls: &UpstreamTls) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    match &tls.ca_file {
        Some(ca_file) => {
            for certificate in read_certificates(ca_file)? {
                roots.add(certificate).map_err(|error| TlsError::File {
                    file: ca_file.clone(),
                    message: format!("unusable certificate authority: {error}"),
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = ALPN_PROTOCOLS.iter().map(|alpn| alpn.to_vec()).collect();
    Ok(Arc::new(config))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(file: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(file).map_err(|error| TlsError::File {
        file: file.to_path_buf(),
        message: error.to_string(),
    })
}

fn read_certificates(file: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(file)?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::File {
            file: file.to_path_buf(),
            message: format!("invalid PEM: {error}"),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::File {
            file: file.to_path_buf(),
            message: "no certificate in it (expected PEM \"BEGIN CERTIFICATE\" blocks)".to_owned(),
        });
    }
    Ok(certificates)
}
