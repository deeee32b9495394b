//! Who the client is. Behind a reverse proxy every connection comes from the proxy, so the
//! proxy's forwarding headers name the client; they are believed only from the proxies the
//! operator trusts (`--trusted-proxies`), and read right to left, past every trusted hop, so a
//! client cannot choose its own address by sending the header itself.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Whether a connection comes from a proxy the operator trusts.
pub fn from_trusted_proxy(peer: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&peer))
}

/// The client's address for a connection from `peer`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| from_trusted_proxy(*ip, trusted);
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop else { break };
        client = *ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// The addresses a request passed through, nearest last: `X-Forwarded-For` when present, else
/// the `for=` values of `Forwarded` (RFC 7239). `None` for an entry that is not an address
/// (`unknown`, an obfuscated name), which stops the walk.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let xff = values("x-forwarded-for");
    if !xff.is_empty() {
        return xff.iter().map(|s| parse_node(s)).collect();
    }
    values("forwarded")
        .iter()
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Ok(addr) = node.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    node.strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|ip| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Peer, forwarding headers, the client expected.
    type Case = (&'static str, &'static [(&'static str, &'static str)], &'static str);

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies_and_right_to_left() {
        let trusted: Vec<IpNet> =
            vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1/32".parse().unwrap()];
        let cases: &[Case] = &[
            // No proxy trusted for this peer: the header is the client's own word, ignored.
            ("203.0.113.9", &[("x-forwarded-for", "198.51.100.1")], "203.0.113.9"),
            // From a trusted proxy: the nearest untrusted hop.
            ("10.1.1.1", &[("x-forwarded-for", "198.51.100.1")], "198.51.100.1"),
            // A client's forged entry to the left of the real one does not win.
            ("10.1.1.1", &[("x-forwarded-for", "1.2.3.4, 198.51.100.1, 10.2.2.2")], "198.51.100.1"),
            // Several header lines are one list.
            (
                "127.0.0.1",
                &[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "198.51.100.2")],
                "198.51.100.2",
            ),
            // Forwarded (RFC 7239), with ports and IPv6.
            ("10.1.1.1", &[("forwarded", "for=198.51.100.3;proto=https")], "198.51.100.3"),
            ("10.1.1.1", &[("forwarded", "for=\"[2001:db8::1]:4711\"")], "2001:db8::1"),
            // An entry that is no address stops the walk at the last trusted hop.
            ("10.1.1.1", &[("x-forwarded-for", "198.51.100.1, unknown")], "10.1.1.1"),
            // A trusted proxy with no header is the client.
            ("10.1.1.1", &[], "10.1.1.1"),
        ];
        for (peer, pairs, want) in cases {
            let got = client_address(ip(peer), &headers(pairs), &trusted);
            assert_eq!(got, ip(want), "peer {peer}, headers {pairs:?}");
        }
    }
}
