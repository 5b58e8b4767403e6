//! Minting test tokens with the instance key of Clerk's SDK fixtures (and keys made on the spot).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_claims_runtime::{Jwks, Verifier};
use serde_json::{Value, json};

/// The fixed clock of Clerk's fixtures.
pub const NOW: i64 = 1_666_648_250;
/// The kid of the fixtures' instance key.
pub const KID: &str = "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD";
pub const ISSUER: &str = "https://clerk.inspired.puma-74.lcl.dev";
pub const AZP: &str = "https://accounts.inspired.puma-74.lcl.dev";

pub fn vectors() -> PathBuf {
    std::env::var_os("CLERK_CLAIMS_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
}

pub fn read(path: &str) -> String {
    std::fs::read_to_string(vectors().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body.trim()).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The instance's RSA key pair.
pub fn instance_key() -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(&pem_der(&read("clerk/keys/instance_rs256_private_pkcs8.pem"))).unwrap()
}

/// The instance JWKS.
pub fn jwks() -> Jwks {
    Jwks::from_json(&read("clerk/jwks/mock_jwks.json")).unwrap()
}

/// A verifier for the instance, at [`NOW`], with issuer and authorized party configured.
/// The async path an application takes with a remote key set: the key first (fetched when needed),
/// then the synchronous verification.
pub async fn verify_session_async<C: serde::de::DeserializeOwned>(
    verifier: &Verifier,
    token: &str,
) -> Result<clerk_claims_runtime::SessionClaims<C>, clerk_claims_runtime::VerifyError> {
    verifier.fetch_key(token, clerk_claims_runtime::verify::TokenKind::Session).await?;
    verifier.verify_session(token)
}

pub fn verifier() -> Verifier {
    Verifier::new(jwks()).issuer(ISSUER).authorized_parties([AZP]).now(NOW)
}

/// Header and payload joined as they will be signed (JSON texts used as given).
pub fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

/// Signs raw header and payload texts with the instance key (RS256 unless `alg` says RS384/RS512).
pub fn rs_raw(header: &str, payload: &str) -> String {
    rs_bytes(header, payload.as_bytes())
}

/// [`rs_raw`] with any payload bytes (not necessarily UTF-8).
pub fn rs_bytes(header: &str, payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload));
    let alg: Value =
        serde_json::from_str(header).ok().and_then(|h: Value| h.get("alg").cloned()).unwrap_or_default();
    let padding: &'static dyn signature::RsaEncoding = match alg.as_str() {
        Some("RS384") => &signature::RSA_PKCS1_SHA384,
        Some("RS512") => &signature::RSA_PKCS1_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    };
    let key = instance_key();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(padding, &SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(&sig))
}

pub fn rs256(header: &Value, payload: &Value) -> String {
    rs_raw(&header.to_string(), &payload.to_string())
}

pub fn header() -> Value {
    json!({"alg": "RS256", "kid": KID, "typ": "JWT"})
}

/// A valid v2 session payload at [`NOW`].
pub fn session() -> Value {
    json!({
        "azp": AZP, "exp": NOW + 60, "iat": NOW, "iss": ISSUER, "nbf": NOW - 10,
        "sid": "sess_1", "sub": "user_1", "v": 2,
    })
}

/// A valid session token.
pub fn valid() -> String {
    rs256(&header(), &session())
}

/// HMAC-SHA256 over header and payload texts.
pub fn hs_raw(secret: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    format!("{input}.{}", b64(aws_lc_rs::hmac::sign(&key, input.as_bytes()).as_ref()))
}

/// A fresh P-256 key pair and its public JWK.
pub fn p256() -> (EcdsaKeyPair, Value) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref().to_vec();
    let jwk =
        json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65]), "kid": "ec1"});
    (pair, jwk)
}

pub fn es256_raw(pair: &EcdsaKeyPair, header: &str, payload: &str) -> (String, Vec<u8>) {
    let input = signing_input(header, payload);
    let sig = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
    (input, sig.as_ref().to_vec())
}

/// Replaces the signature segment.
pub fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", b64(sig))
}

pub fn signature_of(token: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(token.rsplit_once('.').unwrap().1).unwrap()
}

/// What the test HTTP server answers.
#[derive(Clone)]
pub enum Reply {
    Body(String),
    Status(u16),
    Slow(Duration),
    Garbage,
    Huge(usize),
    /// Each request gets the next body, round and round (a key set flapping between versions).
    Cycle(Vec<String>),
}

/// A minimal HTTP/1.1 server answering every request with the current `Reply`.
pub struct Server {
    pub url: String,
    /// Every request's head (request line and headers).
    pub requests: Arc<Mutex<Vec<String>>>,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
}

impl Server {
    /// A server on 127.0.0.1 answering every request with `reply`.
    pub fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let reply = Arc::new(Mutex::new(reply));
        let hits = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (r, h, q) = (reply.clone(), hits.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, h, q) = (r.clone(), h.clone(), q.clone());
                std::thread::spawn(move || serve(stream, &r, &h, &q));
            }
        });
        Server { url, requests, reply, hits }
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(mut stream: TcpStream, reply: &Mutex<Reply>, hits: &AtomicUsize, requests: &Mutex<Vec<String>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let n = hits.fetch_add(1, Ordering::SeqCst);
    requests.lock().unwrap().push(String::from_utf8_lossy(&request).into_owned());
    let reply = reply.lock().unwrap().clone();
    let (status, body) = match reply {
        Reply::Body(body) => (200, body.into_bytes()),
        Reply::Status(code) => (code, b"{\"errors\":[]}".to_vec()),
        Reply::Slow(delay) => {
            std::thread::sleep(delay);
            (200, read("clerk/jwks/mock_jwks.json").into_bytes())
        }
        Reply::Garbage => (200, b"<html>not a key set</html>".to_vec()),
        Reply::Huge(n) => (200, vec![b' '; n]),
        Reply::Cycle(bodies) => {
            (200, bodies.get(n % bodies.len().max(1)).cloned().unwrap_or_default().into_bytes())
        }
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}
