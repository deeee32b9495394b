//! Bearer tokens: HS256 JWTs shaped like Sisense's (`{user, apiSecret, iat}`), plus `jti` (so
//! that one token can be logged out) and `exp` (when a lifetime is set), signed with a key that
//! the store generated at first start.

use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tessera_domain::ObjectId;

/// The payload of a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub user: String,
    /// The user's secret when the token was issued; a token whose secret no longer matches is dead.
    #[serde(rename = "apiSecret")]
    pub api_secret: String,
    /// Issued at, in seconds since the epoch.
    pub iat: i64,
    /// Expires at, in seconds since the epoch; absent when tokens do not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// This token's own id: logout revokes it and no other.
    #[serde(default)]
    pub jti: String,
}

/// Signs and checks tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Seconds a token lives; `None`: until its user's secret changes or it is logged out.
    lifetime: Option<i64>,
    /// Keyed with the signing key: makes each browser session's XSRF value.
    xsrf: Hmac<Sha256>,
}

impl Tokens {
    pub fn new(key: &[u8], lifetime_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // `exp` is checked when present (with no leeway) and not required: Sisense's own tokens
        // carry none, and a lifetime of 0 issues none.
        validation.required_spec_claims.clear();
        validation.validate_exp = true;
        validation.leeway = 0;
        Tokens {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            lifetime: (lifetime_secs > 0).then(|| i64::try_from(lifetime_secs).unwrap_or(i64::MAX)),
            xsrf: Hmac::new_from_slice(key).expect("HMAC takes a key of any length"),
        }
    }

    pub fn issue(&self, user: ObjectId, api_secret: &str) -> Result<String, String> {
        let now = chrono_now();
        let jti: [u8; 16] = rand::random();
        let claims = Claims {
            user: user.to_string(),
            api_secret: api_secret.to_owned(),
            iat: now,
            exp: self.lifetime.map(|l| now.saturating_add(l)),
            jti: jti.iter().map(|b| format!("{b:02x}")).collect(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("cannot sign token: {e}"))
    }

    /// The claims of a token whose signature checks, with HS256 only (`alg: none` and every
    /// other algorithm are refused).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

impl Tokens {
    /// The XSRF value of the browser session whose token has this `jti`: derived, not stored,
    /// so every node that can check the token can check the header, and a value planted in the
    /// browser by someone else (a cookie set from a sibling domain) matches no session.
    pub fn xsrf(&self, jti: &str) -> String {
        let mut mac = self.xsrf.clone();
        mac.update(b"xsrf:");
        mac.update(jti.as_bytes());
        mac.finalize().into_bytes().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// Now, in seconds since the epoch (the unit of `iat` and `exp`).
pub fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsrf_values_belong_to_one_session_and_one_key() {
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef", 3600);
        let other = Tokens::new(b"fedcba9876543210fedcba9876543210", 3600);
        assert_eq!(tokens.xsrf("a").len(), 32);
        assert_eq!(tokens.xsrf("a"), tokens.xsrf("a"));
        assert_ne!(tokens.xsrf("a"), tokens.xsrf("b"));
        assert_ne!(tokens.xsrf("a"), other.xsrf("a"));
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef", 3600);
        let id = ObjectId::generate();
        let t = tokens.issue(id, "secret-1").unwrap();
        let claims = tokens.verify(&t).unwrap();
        assert_eq!(claims.user, id.to_string());
        assert_eq!(claims.api_secret, "secret-1");
    }

    #[test]
    fn another_key_or_an_edited_token_fails() {
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef", 3600);
        let other = Tokens::new(b"fedcba9876543210fedcba9876543210", 3600);
        let t = tokens.issue(ObjectId::generate(), "s").unwrap();
        assert!(other.verify(&t).is_none());
        let mut edited = t.clone().into_bytes();
        let dot = t.find('.').unwrap();
        edited[dot + 3] = if edited[dot + 3] == b'A' { b'B' } else { b'A' };
        assert!(tokens.verify(std::str::from_utf8(&edited).unwrap()).is_none());
        assert!(tokens.verify("garbage").is_none());
    }

    #[test]
    fn expired_tokens_fail_and_lifetime_zero_never_expires() {
        let key = b"0123456789abcdef0123456789abcdef";
        let forever = Tokens::new(key, 0);
        let t = forever.issue(ObjectId::generate(), "s").unwrap();
        assert_eq!(forever.verify(&t).unwrap().exp, None);
        // A token that expired a minute ago, signed with the right key.
        let claims = Claims {
            user: ObjectId::generate().to_string(),
            api_secret: "s".into(),
            iat: 1,
            exp: Some(chrono_now() - 60),
            jti: "j".into(),
        };
        let expired = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(key),
        )
        .unwrap();
        assert!(forever.verify(&expired).is_none());
        // Each token has its own id.
        let a = forever.verify(&forever.issue(ObjectId::generate(), "s").unwrap()).unwrap();
        let b = forever.verify(&forever.issue(ObjectId::generate(), "s").unwrap()).unwrap();
        assert_ne!(a.jti, b.jti);
    }

    #[test]
    fn alg_none_is_refused() {
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef", 3600);
        // {"alg":"none","typ":"JWT"} . {"user":"...","apiSecret":"s","iat":1} . (no signature)
        let unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyIjoiNTUyMzk4ZjhlNWZkODE3NGE4MDAwMDAzIiwiYXBpU2VjcmV0IjoicyIsImlhdCI6MX0.";
        assert!(tokens.verify(unsigned).is_none());
    }
}
