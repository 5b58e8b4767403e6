//! The verify bench's workload, shared with `scripts/verify-instructions.sh`: one realistic v2
//! session token (organization claims, `fva`, custom claims with a metadata object), RS256-2048,
//! the verifier it is checked with (token cache off), the floor (the raw RSA verification of the
//! same signing input with a parsed key) and the floor with plain decoding (what ordinary serde_json
//! code adds to it, into owned or borrowed structs).

use std::hint::black_box;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, ParsedPublicKey, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_claims_runtime::{Jwks, SessionClaims, Verifier};
use serde::Deserialize;
use serde_json::json;

/// The clock the token is checked at.
pub const NOW: i64 = 1_666_648_250;

/// The session customization's claims.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct Custom {
    email: Option<String>,
    role: String,
    plan: String,
    metadata: serde_json::Value,
}

/// The same claims in one plain struct, as a verifier without Clerk's model reads them: with
/// owned strings and `Value`s ([`PlainClaims`], jsonwebtoken's and the plain decoding's), or borrowing
/// every string with `metadata` skipped ([`BorrowedClaims`], the least serde_json does for these
/// claims; a string with an escape would not fit). [`Custom`]'s fields are spelled out again rather
/// than flattened: serde buffers flattened input, which would slow the baselines down.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct Claims<S, O, M> {
    sub: S,
    sid: S,
    exp: i64,
    iat: i64,
    nbf: i64,
    iss: S,
    azp: S,
    v: u32,
    fva: [i64; 2],
    fea: S,
    o: O,
    email: Option<S>,
    role: S,
    plan: S,
    metadata: M,
}

/// [`Claims`], owned.
pub type PlainClaims = Claims<String, serde_json::Value, serde_json::Value>;
/// [`Claims`], borrowed from the payload.
pub type BorrowedClaims<'a> = Claims<&'a str, BorrowedOrg<'a>, serde::de::IgnoredAny>;

/// The `o` claim's members, borrowed.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct BorrowedOrg<'a> {
    id: &'a str,
    rol: &'a str,
    slg: &'a str,
    per: &'a str,
    fpm: &'a str,
}

/// The header's members a verifier looks at, read plainly: owned (`String`) or borrowed (`&str`).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct PlainHeader<S> {
    alg: Option<S>,
    kid: Option<S>,
    typ: Option<S>,
    cat: Option<S>,
}

/// The token, a verifier for it and the floor's key and input.
pub struct Workload {
    /// The compact token.
    pub token: String,
    /// Clerk's instance issuer and authorized party, token cache off.
    pub verifier: Verifier,
    /// The RSA key, parsed.
    pub floor_key: ParsedPublicKey,
    /// The signature's bytes.
    pub signature: Vec<u8>,
}

impl Workload {
    /// Builds the workload from the vectors in `vectors` (`shared/vectors`).
    pub fn new(vectors: &str) -> Workload {
        let read = |path: &str| std::fs::read_to_string(format!("{vectors}/{path}")).unwrap();
        let pem = read("clerk/keys/instance_rs256_private_pkcs8.pem");
        let der =
            STANDARD.decode(pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap();
        let key = RsaKeyPair::from_pkcs8(&der).unwrap();
        let header = json!({"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD", "typ": "JWT"});
        let payload = json!({
            "azp": "https://accounts.inspired.puma-74.lcl.dev", "exp": NOW + 60, "fea": "o:billing,o:reports,o:members",
            "fva": [3, -1], "iat": NOW, "iss": "https://clerk.inspired.puma-74.lcl.dev", "nbf": NOW - 10,
            "o": {"fpm": "3,1,1", "id": "org_2WzCA5UDlNDsdIRqzP52wDZWTqe", "per": "manage,read", "rol": "admin", "slg": "acme-corp"},
            "sid": "sess_2WzEBr47qGpr6WDBadSMTtHgz80", "sts": "active", "sub": "user_2WzE99n2klw2qLbPtYSHlUWfLGT", "v": 2,
            "email": "maria@example.com", "role": "editor", "plan": "pro",
            "metadata": {"onboarding_complete": true, "locale": "en-US", "seats": 25},
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
        let jwks = Jwks::from_json(&read("clerk/jwks/mock_jwks.json")).unwrap();
        let verifier = Verifier::new(jwks)
            .issuer("https://clerk.inspired.puma-74.lcl.dev")
            .authorized_parties(["https://accounts.inspired.puma-74.lcl.dev"])
            .now(NOW)
            .token_cache(false);
        let floor_key =
            ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref()).unwrap();
        let workload = Workload { token, verifier, floor_key, signature: sig };
        assert!(
            workload.floor() && workload.plain() && workload.plain_borrowed() && workload.verify().is_ok()
        );
        workload
    }

    /// `header.payload`, as signed.
    /// The workload's verifier with the instance key set fetched from `url` (a remote key set)
    /// instead of held, token cache on: what a production verifier is.
    pub fn remote_verifier(&self, url: &str) -> Verifier {
        let remote = clerk_claims_runtime::keys::RemoteJwks::new(url);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(remote.refresh()).unwrap();
        Verifier::new(remote)
            .issuer("https://clerk.inspired.puma-74.lcl.dev")
            .authorized_parties(["https://accounts.inspired.puma-74.lcl.dev"])
            .now(NOW)
    }

    pub fn signing_input(&self) -> &str {
        self.token.rsplit_once('.').map_or("", |(input, _)| input)
    }

    /// The floor: the RSA verification of the signing input, nothing else.
    pub fn floor(&self) -> bool {
        self.floor_key.verify_sig(self.signing_input().as_bytes(), &self.signature).is_ok()
    }

    /// The floor and what ordinary code does beyond it: the token split at its dots, its three
    /// segments base64url-decoded, header and payload read with serde_json into plain structs. No
    /// duplicate-key or nesting checks, no claim checked, nothing normalised.
    pub fn plain(&self) -> bool {
        self.plain_with(|header, payload| {
            let header: Option<PlainHeader<String>> = serde_json::from_slice(header).ok();
            let claims: Option<PlainClaims> = serde_json::from_slice(payload).ok();
            let (header, claims) = black_box((header, claims));
            header.is_some() && claims.is_some()
        })
    }

    /// [`Workload::plain`] into borrowed structs (nothing allocated but the decoded segments).
    pub fn plain_borrowed(&self) -> bool {
        self.plain_with(|header, payload| {
            let header: Option<PlainHeader<&str>> = serde_json::from_slice(header).ok();
            let claims: Option<BorrowedClaims> = serde_json::from_slice(payload).ok();
            let (header, claims) = black_box((header, claims));
            header.is_some() && claims.is_some()
        })
    }

    /// The floor and `read` of the decoded header and payload.
    fn plain_with(&self, read: impl FnOnce(&[u8], &[u8]) -> bool) -> bool {
        let mut segments = self.token.split('.');
        let mut decoded = || base64_simd::URL_SAFE_NO_PAD.decode_to_vec(segments.next()?).ok();
        let (Some(header), Some(payload), Some(signature)) = (decoded(), decoded(), decoded()) else {
            return false;
        };
        let input = self.signing_input().as_bytes();
        self.floor_key.verify_sig(input, &signature).is_ok() && read(&header, &payload)
    }

    /// A whole verification into `SessionClaims<Custom>`.
    pub fn verify(
        &self,
    ) -> Result<clerk_claims_runtime::SessionClaims<Custom>, clerk_claims_runtime::VerifyError> {
        self.verifier.verify_session::<SessionClaims<Custom>>(&self.token)
    }
}

/// Serves `body` as JSON to every request on 127.0.0.1, forever (a key set endpoint); its URL.
pub fn serve(body: String) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    url
}
