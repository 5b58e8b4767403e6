//! The one DER structure this crate writes: PKCS#1 `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }`
//! (JWKs carry `n` and `e`; the crypto backend takes DER).

fn length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn integer(value: &[u8], out: &mut Vec<u8>) {
    // A positive INTEGER: a leading zero when the top bit is set.
    let pad = value.first().is_some_and(|&b| b & 0x80 != 0);
    out.push(0x02);
    length(value.len() + usize::from(pad), out);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(value);
}

/// DER of `RSAPublicKey` for a modulus and exponent (big-endian, no leading zeros).
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    integer(n, &mut body);
    integer(e, &mut body);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(0x30);
    length(body.len(), &mut out);
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_short_and_long_forms() {
        assert_eq!(super::rsa_public_key(&[0x05], &[0x03]), [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]);
        assert_eq!(super::rsa_public_key(&[0x80], &[0x01])[..5], [0x30, 0x07, 0x02, 0x02, 0x00]);
        let n = vec![0x7f; 256];
        let der = super::rsa_public_key(&n, &[1, 0, 1]);
        assert_eq!(der[..8], [0x30, 0x82, 0x01, 0x09, 0x02, 0x82, 0x01, 0x00]);
    }
}
