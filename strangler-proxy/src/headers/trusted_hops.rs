//! The set of peers whose forwarding headers (`X-Forwarded-*`, `Forwarded`) and request ids the
//! proxy believes: IP addresses and CIDR blocks such as `10.0.0.0/8` or `fd00::/8`, parsed
//! here with std types only. It answers membership for one address; it does not resolve names,
//! walk an `X-Forwarded-For` chain to find the first untrusted hop, or read configuration files.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Addresses and networks of trusted hops (load balancers, CDNs, other proxies in front of this
/// one). Empty by default: no peer is trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedHops {
    networks: Vec<IpNetwork>,
}

/// Why one entry of a trusted hop list was rejected. `index` is its position in the list, so
/// a configuration layer can turn it into a field path like `trusted_hops[2]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trusted hop {entry:?}: {problem}")]
pub struct TrustedHopsError {
    pub index: usize,
    pub entry: String,
    pub problem: TrustedHopProblem,
}

/// What is wrong with a trusted hop entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustedHopProblem {
    /// The part before any `/` is not an IPv4 or IPv6 address.
    InvalidAddress,
    /// The part after `/` is not a number from 0 to `max_prefix_len`.
    InvalidPrefixLength { max_prefix_len: u8 },
    /// The address has bits set after the prefix, as in `10.0.0.1/8`; `network` is the block the
    /// entry probably means (`10.0.0.0/8`).
    HostBitsSet { network: String },
}

impl TrustedHops {
    /// Trusts no peer.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses entries such as `"127.0.0.1"`, `"10.0.0.0/8"`, `"::1"` or `"fd00::/8"`. An address
    /// without a prefix length is a single host. Surrounding whitespace is ignored. IPv4-mapped
    /// IPv6 entries (`::ffff:10.0.0.0/104`) are stored as the IPv4 block they map.
    pub fn parse<Entry: AsRef<str>>(entries: &[Entry]) -> Result<Self, TrustedHopsError> {
        let mut networks = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let entry = entry.as_ref();
            let network = IpNetwork::parse(entry.trim()).map_err(|problem| TrustedHopsError {
                index,
                entry: entry.to_owned(),
                problem,
            })?;
            networks.push(network);
        }
        Ok(Self { networks })
    }

    /// Whether `ip` is in one of the trusted networks. An IPv4-mapped IPv6 address
    /// (`::ffff:10.1.2.3`, as a dual-stack socket reports IPv4 peers) is compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|network| network.contains(ip))
    }

    /// Whether no peer is trusted.
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }
}

impl fmt::Display for TrustedHopProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidAddress => formatter.write_str(
                "not an IP address or CIDR block such as 10.0.0.0/8, 127.0.0.1 or fd00::/8",
            ),
            Self::InvalidPrefixLength { max_prefix_len } => write!(
                formatter,
                "prefix length must be a number from 0 to {max_prefix_len}"
            ),
            Self::HostBitsSet { network } => write!(
                formatter,
                "address has bits set after the prefix length; did you mean {network}?"
            ),
        }
    }
}

/// One CIDR block, with the address bits after the prefix all zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IpNetwork {
    V4 { network: u32, prefix_len: u8 },
    V6 { network: u128, prefix_len: u8 },
}

impl IpNetwork {
    fn parse(entry: &str) -> Result<Self, TrustedHopProblem> {
        let (address_text, prefix_text) = match entry.split_once('/') {
            Some((address_text, prefix_text)) => (address_text, Some(prefix_text)),
            None => (entry, None),
        };
        let address: IpAddr = address_text
            .parse()
            .map_err(|_| TrustedHopProblem::InvalidAddress)?;
        let max_prefix_len = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix_len = match prefix_text {
            None => max_prefix_len,
            Some(prefix_text) => parse_prefix_len(prefix_text, max_prefix_len)
                .ok_or(TrustedHopProblem::InvalidPrefixLength { max_prefix_len })?,
        };

        let network = match address {
            IpAddr::V4(address) => Self::V4 {
                network: u32::from(address) & v4_mask(prefix_len),
                prefix_len,
            },
            IpAddr::V6(address) => Self::V6 {
                network: u128::from(address) & v6_mask(prefix_len),
                prefix_len,
            },
        };
        if network.address() != address {
            return Err(TrustedHopProblem::HostBitsSet {
                network: network.to_string(),
            });
        }
        Ok(network.unmap_ipv4())
    }

    /// `::ffff:a.b.c.d/n` with `n >= 96` becomes `a.b.c.d/(n - 96)`, so that it matches the
    /// canonical (IPv4) form of the addresses it contains.
    fn unmap_ipv4(self) -> Self {
        match self {
            Self::V6 {
                network,
                prefix_len,
            } if prefix_len >= 96 => match Ipv6Addr::from(network).to_ipv4_mapped() {
                Some(mapped) => Self::V4 {
                    network: u32::from(mapped),
                    prefix_len: prefix_len - 96,
                },
                None => self,
            },
            other => other,
        }
    }

    fn address(&self) -> IpAddr {
        match *self {
            Self::V4 { network, .. } => IpAddr::V4(Ipv4Addr::from(network)),
            Self::V6 { network, .. } => IpAddr::V6(Ipv6Addr::from(network)),
        }
    }

    /// `ip` must already be canonical: IPv4-mapped addresses never match a `V6` block here.
    fn contains(&self, ip: IpAddr) -> bool {
        match (*self, ip) {
            (
                Self::V4 {
                    network,
                    prefix_len,
                },
                IpAddr::V4(ip),
            ) => u32::from(ip) & v4_mask(prefix_len) == network,
            (
                Self::V6 {
                    network,
                    prefix_len,
                },
                IpAddr::V6(ip),
            ) => u128::from(ip) & v6_mask(prefix_len) == network,
            _ => false,
        }
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix_len = match *self {
            Self::V4 { prefix_len, .. } | Self::V6 { prefix_len, .. } => prefix_len,
        };
        write!(formatter, "{}/{prefix_len}", self.address())
    }
}

/// Decimal digits only (no sign, no whitespace), at most `max_prefix_len`.
fn parse_prefix_len(text: &str, max_prefix_len: u8) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let prefix_len: u8 = text.parse().ok()?;
    (prefix_len <= max_prefix_len).then_some(prefix_len)
}

fn v4_mask(prefix_len: u8) -> u32 {
    // A shift by the full width (prefix 0) overflows; the mask is then empty.
    u32::MAX
        .checked_shl(32 - u32::from(prefix_len))
        .unwrap_or(0)
}

fn v6_mask(prefix_len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix_len))
        .unwrap_or(0)
}
