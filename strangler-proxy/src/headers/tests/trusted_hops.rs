//! Trusted hop parsing and membership: IPv4 and IPv6 blocks, IPv4-mapped peers, and errors
//! that name the bad entry.

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse()
        .unwrap_or_else(|error| panic!("{text}: {error}"))
}

fn check_contains(entries: &[&str], address: &str, expected: bool) {
    assert_eq!(
        trusted(entries).contains(ip(address)),
        expected,
        "{address} in {entries:?}"
    );
}

fn check_parse_error(entries: &[&str], expected_message: &str) -> TrustedHopsError {
    let error = TrustedHops::parse(entries).expect_err("entries should be rejected");
    assert_eq!(error.to_string(), expected_message);
    error
}

#[test]
fn single_addresses_and_blocks_match() {
    check_contains(&["127.0.0.1/32"], "127.0.0.1", true);
    check_contains(&["127.0.0.1/32"], "127.0.0.2", false);
    check_contains(&["10.0.0.0/8"], "10.255.3.4", true);
    check_contains(&["10.0.0.0/8"], "11.0.0.1", false);
    check_contains(&["192.0.2.7"], "192.0.2.7", true);
    check_contains(&["0.0.0.0/0"], "203.0.113.9", true);
    check_contains(&["::1"], "::1", true);
    check_contains(&["::1"], "::2", false);
    check_contains(&["fd00::/8"], "fd12:3456::1", true);
    check_contains(&["fd00::/8"], "fe80::1", false);
    check_contains(&[], "127.0.0.1", false);
}

#[test]
fn ipv4_mapped_peers_compare_as_ipv4() {
    check_contains(&["10.0.0.0/8"], "::ffff:10.1.2.3", true);
    check_contains(&["10.0.0.0/8"], "::ffff:11.1.2.3", false);
    check_contains(&["::ffff:10.0.0.0/104"], "10.9.9.9", true);
    check_contains(&["::ffff:10.0.0.0/104"], "::ffff:10.9.9.9", true);
}

#[test]
fn ipv4_and_ipv6_blocks_do_not_mix() {
    check_contains(&["::/0"], "10.0.0.1", false);
    check_contains(&["0.0.0.0/0"], "::1", false);
}

#[test]
fn parse_errors_name_the_entry() {
    check_parse_error(
        &["10.0.0.0/8", "not-an-ip"],
        "trusted hop \"not-an-ip\": not an IP address or CIDR block such as 10.0.0.0/8, \
         127.0.0.1 or fd00::/8",
    );
    check_parse_error(
        &["10.0.0.0/33"],
        "trusted hop \"10.0.0.0/33\": prefix length must be a number from 0 to 32",
    );
    check_parse_error(
        &["fd00::/129"],
        "trusted hop \"fd00::/129\": prefix length must be a number from 0 to 128",
    );
    check_parse_error(
        &["10.0.0.0/+8"],
        "trusted hop \"10.0.0.0/+8\": prefix length must be a number from 0 to 32",
    );
    check_parse_error(
        &["10.0.0.0/"],
        "trusted hop \"10.0.0.0/\": prefix length must be a number from 0 to 32",
    );
    check_parse_error(
        &["[::1]"],
        "trusted hop \"[::1]\": not an IP address or CIDR block such as 10.0.0.0/8, 127.0.0.1 \
         or fd00::/8",
    );
}

#[test]
fn host_bits_after_the_prefix_are_an_error_with_a_suggestion() {
    let error = check_parse_error(
        &["127.0.0.1", "192.168.1.10/24"],
        "trusted hop \"192.168.1.10/24\": address has bits set after the prefix length; did \
         you mean 192.168.1.0/24?",
    );
    assert_eq!(error.index, 1);
    assert_eq!(
        error.problem,
        TrustedHopProblem::HostBitsSet {
            network: "192.168.1.0/24".to_owned()
        }
    );
    check_parse_error(
        &["fd00::1/8"],
        "trusted hop \"fd00::1/8\": address has bits set after the prefix length; did you \
         mean fd00::/8?",
    );
}
