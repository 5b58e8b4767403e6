//! The active organization of a session, one shape for v1 (`org_id`, `org_role`, `org_slug`,
//! `org_permissions`) and v2 (`o`, `fea`) session tokens.

use serde::{Deserialize, Serialize};

use crate::strict::Text;

/// The session's active organization.
///
/// ```
/// use clerk_claims_runtime::Organization;
/// let org = Organization {
///     id: "org_1".into(),
///     slug: Some("acme".into()),
///     role: Some("org:admin".into()),
///     permissions: vec!["org:billing:manage".into()],
/// };
/// assert!(org.has_role("org:admin") && org.has_role("admin"));
/// assert!(org.has_permission("org:billing:manage"));
/// assert!(!org.has_permission("org:billing:read"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `org_...`.
    pub id: String,
    /// The organization's slug.
    pub slug: Option<String>,
    /// The user's role in it, always `org:`-prefixed (`org:admin`).
    pub role: Option<String>,
    /// `org:<feature>:<permission>` keys, in token order.
    pub permissions: Vec<String>,
}

impl Organization {
    /// Whether the user has `role` (`org:admin`; the `org:` prefix may be left out).
    ///
    /// ```
    /// # use clerk_claims_runtime::Organization;
    /// let org = Organization { id: "org_1".into(), slug: None, role: Some("org:member".into()), permissions: vec![] };
    /// assert!(!org.has_role("org:admin"));
    /// ```
    pub fn has_role(&self, role: &str) -> bool {
        let Some(own) = self.role.as_deref() else { return false };
        own == role || own.strip_prefix("org:") == Some(role)
    }

    /// Whether the user holds `permission` (`org:<feature>:<permission>`).
    ///
    /// ```
    /// # use clerk_claims_runtime::Organization;
    /// let org = Organization { id: "org_1".into(), slug: None, role: None, permissions: vec!["org:a:read".into()] };
    /// assert!(org.has_permission("org:a:read"));
    /// ```
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// The organization of a v2 `o` claim with the token's `fea` features.
    ///
    /// `fea` lists features as `scope:name` (`o` organization, `u` user, `ou`/`uo` both); the `i`-th
    /// mask of `o.fpm` belongs to the `i`-th feature, and bit `b` of it grants the `b`-th entry of
    /// `o.per`. Masks are decimal numbers of any size (never rounded through `f64`); bits beyond
    /// `o.per` grant nothing, and a malformed mask grants no permission at all.
    ///
    /// ```
    /// use clerk_claims_runtime::Organization;
    /// use clerk_claims_runtime::claims::OrgClaim;
    /// let o = OrgClaim {
    ///     id: "org_1".into(), slg: Some("acme".into()), rol: Some("admin".into()),
    ///     per: Some("read,manage".into()), fpm: Some("1,3".into()),
    /// };
    /// let org = Organization::from_v2(&o, Some("o:impersonation,o:memberships"));
    /// assert_eq!(org.role.as_deref(), Some("org:admin"));
    /// assert_eq!(org.permissions, ["org:impersonation:read", "org:memberships:read", "org:memberships:manage"]);
    /// ```
    pub fn from_v2(o: &OrgClaim, fea: Option<&str>) -> Organization {
        let (rol, per, fpm) = (o.rol.as_deref(), o.per.as_deref(), o.fpm.as_deref());
        Organization::from_v2_parts(o.id.clone(), o.slg.clone(), rol, per, fpm, fea)
    }

    /// [`Organization::from_v2`] from the claim as a token's payload is read: id and slug move over.
    pub(crate) fn from_v2_claim(o: RawOrgClaim<'_>, fea: Option<&str>) -> Organization {
        let (rol, per, fpm) = (Text::of(&o.rol), Text::of(&o.per), Text::of(&o.fpm));
        Organization::from_v2_parts(o.id, o.slg, rol, per, fpm, fea)
    }

    fn from_v2_parts(
        id: String,
        slug: Option<String>,
        rol: Option<&str>,
        per: Option<&str>,
        fpm: Option<&str>,
        fea: Option<&str>,
    ) -> Organization {
        let permissions = v2_permissions(per, fpm, fea);
        let role = rol.map(|r| if r.starts_with("org:") { r.to_string() } else { ["org:", r].concat() });
        Organization { id, slug, role, permissions }
    }
}

/// The `o` claim and `fea` of a v2 session token that carry `organization`: the inverse of
/// [`Organization::from_v2`]. Features are listed in order of first appearance in
/// `permissions`, and so are permission names in `per`; permissions not of the form
/// `org:<feature>:<permission>` cannot be encoded in v2 and are left out.
///
/// ```
/// use clerk_claims_runtime::Organization;
/// use clerk_claims_runtime::claims::encode_v2;
/// let org = Organization {
///     id: "org_1".into(), slug: Some("acme".into()), role: Some("org:admin".into()),
///     permissions: vec!["org:memberships:read".into(), "org:memberships:manage".into(), "org:billing:read".into()],
/// };
/// let (o, fea) = encode_v2(&org);
/// assert_eq!((o.rol.as_deref(), o.per.as_deref(), o.fpm.as_deref()), (Some("admin"), Some("read,manage"), Some("3,1")));
/// assert_eq!(fea.as_deref(), Some("o:memberships,o:billing"));
/// assert_eq!(Organization::from_v2(&o, fea.as_deref()), org);
/// ```
pub fn encode_v2(organization: &Organization) -> (OrgClaim, Option<String>) {
    let mut features: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut grants: Vec<(usize, usize)> = Vec::new();
    for permission in &organization.permissions {
        let Some((feature, name)) = permission.strip_prefix("org:").and_then(|p| p.split_once(':')) else {
            continue;
        };
        let (feature, name) = (position(&mut features, feature), position(&mut names, name));
        grants.push((feature, name));
    }
    let masks: Vec<String> = (0..features.len())
        .map(|f| {
            let bits: Vec<bool> = (0..names.len()).map(|n| grants.contains(&(f, n))).collect();
            mask_decimal(&bits)
        })
        .collect();
    let role = organization.role.as_deref().map(|r| r.strip_prefix("org:").unwrap_or(r).to_string());
    let encoded = !features.is_empty();
    let o = OrgClaim {
        id: organization.id.clone(),
        slg: organization.slug.clone(),
        rol: role,
        per: encoded.then(|| names.join(",")),
        fpm: encoded.then(|| masks.join(",")),
    };
    let fea = encoded.then(|| features.iter().map(|f| format!("o:{f}")).collect::<Vec<_>>().join(","));
    (o, fea)
}

/// The index of `item` in `list`, appended when absent.
fn position<'a>(list: &mut Vec<&'a str>, item: &'a str) -> usize {
    list.iter().position(|x| *x == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    })
}

/// The decimal text of a mask given its bits, least significant first (any number of bits).
fn mask_decimal(bits: &[bool]) -> String {
    // Little-endian base-10^9 limbs: double and add each bit, most significant first.
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0];
    for &bit in bits.iter().rev() {
        let mut carry = u64::from(bit);
        for limb in &mut limbs {
            let value = *limb * 2 + carry;
            *limb = value % BASE;
            carry = value / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut text = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        text.push_str(&if i == 0 { limb.to_string() } else { format!("{limb:09}") });
    }
    text
}

/// The `o` claim of a v2 session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgClaim {
    /// Organization id.
    pub id: String,
    /// Slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slg: Option<String>,
    /// Role, without the `org:` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rol: Option<String>,
    /// Comma-separated permission names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Comma-separated decimal masks, one per feature of `fea`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fpm: Option<String>,
}

/// [`OrgClaim`] as the verifier reads it from a payload: what only feeds the role and permissions is
/// borrowed.
#[derive(Deserialize)]
pub(crate) struct RawOrgClaim<'a> {
    id: String,
    #[serde(default)]
    slg: Option<String>,
    #[serde(default, borrow)]
    rol: Option<Text<'a>>,
    #[serde(default, borrow)]
    per: Option<Text<'a>>,
    #[serde(default, borrow)]
    fpm: Option<Text<'a>>,
}

/// Splits `fea` / `pla` into organization-scoped and user-scoped names.
///
/// ```
/// use clerk_claims_runtime::claims::split_by_scope;
/// let (org, user) = split_by_scope("ou:payments,u:impersonation");
/// assert_eq!((org, user), (vec!["payments"], vec!["payments", "impersonation"]));
/// ```
pub fn split_by_scope(list: &str) -> (Vec<&str>, Vec<&str>) {
    split_by_scope_into(list, |name| name)
}

/// [`split_by_scope`], each name made a `T` as it is placed.
pub(crate) fn split_by_scope_into<'a, T>(list: &'a str, make: impl Fn(&'a str) -> T) -> (Vec<T>, Vec<T>) {
    let (mut org, mut user) = (Vec::new(), Vec::new());
    for (scope, name) in list.split(',').filter_map(|item| item.split_once(':')) {
        if scope.contains('o') {
            org.push(make(name));
        }
        if scope.contains('u') {
            user.push(make(name));
        }
    }
    (org, user)
}

fn v2_permissions(per: Option<&str>, fpm: Option<&str>, fea: Option<&str>) -> Vec<String> {
    let (Some(per), Some(fpm), Some(fea)) = (per, fpm, fea) else {
        return Vec::new();
    };
    let Some(masks) = fpm.split(',').map(Mask::parse).collect::<Option<Vec<Mask>>>() else {
        return Vec::new(); // a malformed mask fails closed
    };
    // At most one permission per set bit that names one: one allocation for the list.
    let names = per.split(',').count();
    let mut out = Vec::with_capacity(masks.iter().map(|mask| mask.ones().min(names)).sum());
    for (i, item) in fea.split(',').enumerate() {
        let Some((scope, feature)) = item.split_once(':') else { continue };
        if !scope.contains('o') {
            continue;
        }
        let Some(mask) = masks.get(i) else { continue };
        for (bit, permission) in per.split(',').enumerate() {
            if mask.bit(bit) {
                out.push(["org:", feature, ":", permission].concat());
            }
        }
    }
    out
}

/// The bits of a non-negative decimal number of any size: one word for the usual few permissions,
/// little-endian base-2^32 limbs beyond 64 of them.
enum Mask {
    Word(u64),
    Limbs(Vec<u32>),
}

impl Mask {
    /// `None` when `text` is not a non-negative decimal number.
    fn parse(text: &str) -> Option<Mask> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Ok(word) = text.parse::<u64>() {
            return Some(Mask::Word(word));
        }
        // Multiply by ten and add each digit.
        let mut limbs: Vec<u32> = vec![0];
        for digit in text.bytes().map(|b| u64::from(b - b'0')) {
            let mut carry = digit;
            for limb in &mut limbs {
                let value = u64::from(*limb) * 10 + carry;
                *limb = (value & 0xFFFF_FFFF) as u32;
                carry = value >> 32;
            }
            if carry > 0 {
                limbs.push(carry as u32);
            }
        }
        Some(Mask::Limbs(limbs))
    }

    /// How many bits are set.
    fn ones(&self) -> usize {
        match self {
            Mask::Word(word) => word.count_ones() as usize,
            Mask::Limbs(limbs) => limbs.iter().map(|limb| limb.count_ones() as usize).sum(),
        }
    }

    /// Whether bit `i` (least significant first) is set.
    fn bit(&self, i: usize) -> bool {
        match self {
            Mask::Word(word) => i < 64 && word >> i & 1 == 1,
            Mask::Limbs(limbs) => limbs.get(i / 32).is_some_and(|limb| limb >> (i % 32) & 1 == 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_of_any_size_round_trip() {
        for bits in
            [vec![], vec![true], vec![false, true], vec![true; 70], (0..200).map(|i| i % 3 == 0).collect()]
        {
            let decoded = Mask::parse(&mask_decimal(&bits)).unwrap();
            let read: Vec<bool> = (0..bits.len() + 70).map(|i| decoded.bit(i)).collect();
            assert_eq!(read[..bits.len()], bits[..], "{} bits", bits.len());
            assert!(read[bits.len()..].iter().all(|b| !b));
        }
        assert!(matches!(Mask::parse(&u64::MAX.to_string()), Some(Mask::Word(u64::MAX))));
        assert!(matches!(Mask::parse("18446744073709551616"), Some(Mask::Limbs(_))));
        assert!(Mask::parse("18446744073709551616").unwrap().bit(64));
        for bad in ["", "-1", "+1", "1.0", "0x1", " 1"] {
            assert!(Mask::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(mask_decimal(&[true; 64]), u64::MAX.to_string());
    }
}
