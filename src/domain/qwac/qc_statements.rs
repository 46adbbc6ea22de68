//! The qcStatements extension (OID 1.3.6.1.5.5.7.1.3, ETSI EN 319 412-5 and
//! TS 119 495), which x509-parser leaves unparsed. A small, pure decoder: any
//! bytes in, a value or an error out, never a panic.

use x509_parser::der_parser::ber::BerObject;
use x509_parser::der_parser::parse_der;

pub const QC_STATEMENTS: &str = "1.3.6.1.5.5.7.1.3";
const QC_COMPLIANCE: &str = "0.4.0.1862.1.1";
const QC_TYPE: &str = "0.4.0.1862.1.6";
const PSD2: &str = "0.4.0.19495.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QcType {
    Esign,
    Eseal,
    Web,
    Other,
}

/// A PSP role: its OID and the name the certificate gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub oid: String,
    pub name: String,
}

impl Role {
    /// PSP_AI, PSP_PI, PSP_AS or PSP_IC by OID (the name in the certificate is informative).
    pub fn code(&self) -> Option<&'static str> {
        match self.oid.as_str() {
            "0.4.0.19495.1.1" => Some("PSP_AS"),
            "0.4.0.19495.1.2" => Some("PSP_PI"),
            "0.4.0.19495.1.3" => Some("PSP_AI"),
            "0.4.0.19495.1.4" => Some("PSP_IC"),
            _ => None,
        }
    }

    /// What the role lets a TPP do, in plain words.
    pub fn meaning(&self) -> &'static str {
        match self.code() {
            Some("PSP_AS") => "account servicing (a bank holding accounts)",
            Some("PSP_PI") => "payment initiation: start payments from a customer's account",
            Some("PSP_AI") => "account information: read a customer's accounts and transactions",
            Some("PSP_IC") => "issuing card-based payment instruments: confirm that funds are available",
            _ => "a role the portal does not know",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Psd2Statement {
    pub roles: Vec<Role>,
    pub nca_name: String,
    pub nca_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QcStatements {
    pub compliance: bool,
    pub types: Vec<QcType>,
    pub psd2: Option<Psd2Statement>,
}

/// Decodes the DER value of a qcStatements extension.
pub fn decode(der: &[u8]) -> Result<QcStatements, String> {
    let (rest, outer) = parse_der(der).map_err(|e| format!("qcStatements is not DER: {e}"))?;
    if !rest.is_empty() {
        return Err("qcStatements has bytes after its end".into());
    }
    let mut out = QcStatements::default();
    for statement in seq(&outer, "qcStatements")? {
        let parts = seq(statement, "a QCStatement")?;
        let Some(id) = parts.first() else {
            return Err("a QCStatement without statementId".into());
        };
        let id = id
            .as_oid()
            .map_err(|_| "a statementId that is not an OID")?
            .to_id_string();
        let info = parts.get(1);
        match id.as_str() {
            QC_COMPLIANCE => out.compliance = true,
            QC_TYPE => {
                let info = info.ok_or("QcType without its types")?;
                for t in seq(info, "QcType")? {
                    let oid = t.as_oid().map_err(|_| "a QcType that is not an OID")?.to_id_string();
                    out.types.push(match oid.as_str() {
                        "0.4.0.1862.1.6.1" => QcType::Esign,
                        "0.4.0.1862.1.6.2" => QcType::Eseal,
                        "0.4.0.1862.1.6.3" => QcType::Web,
                        _ => QcType::Other,
                    });
                }
            }
            PSD2 => out.psd2 = Some(psd2(info.ok_or("a PSD2 statement without content")?)?),
            _ => {}
        }
    }
    Ok(out)
}

fn seq<'a, 'b>(o: &'b BerObject<'a>, what: &str) -> Result<&'b Vec<BerObject<'a>>, String> {
    o.as_sequence().map_err(|_| format!("{what} is not a SEQUENCE"))
}

fn text(o: &BerObject<'_>, what: &str) -> Result<String, String> {
    o.as_str()
        .map(str::to_string)
        .map_err(|_| format!("{what} is not a string"))
}

/// PSD2QcType ::= SEQUENCE { rolesOfPSP, nCAName, nCAId }
fn psd2(o: &BerObject<'_>) -> Result<Psd2Statement, String> {
    let parts = seq(o, "the PSD2 statement")?;
    let [roles, name, id, ..] = parts.as_slice() else {
        return Err("the PSD2 statement needs roles, NCA name and NCA id".into());
    };
    let mut out = Vec::new();
    for role in seq(roles, "rolesOfPSP")? {
        let r = seq(role, "a RoleOfPSP")?;
        let [oid, name, ..] = r.as_slice() else {
            return Err("a RoleOfPSP needs an OID and a name".into());
        };
        out.push(Role {
            oid: oid
                .as_oid()
                .map_err(|_| "a role OID that is not an OID")?
                .to_id_string(),
            name: text(name, "a role name")?,
        });
    }
    Ok(Psd2Statement {
        roles: out,
        nca_name: text(name, "the NCA name")?,
        nca_id: text(id, "the NCA id")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER of: compliance; QcType web; PSD2 { [PSP_AI "PSP_AI"], "Finansinspektionen", "SE-FINA" }.
    fn sample() -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut v = vec![tag];
            if body.len() < 128 {
                v.push(body.len() as u8);
            } else {
                v.push(0x81);
                v.push(body.len() as u8);
            }
            v.extend_from_slice(body);
            v
        }
        let oid = |bytes: &[u8]| tlv(0x06, bytes);
        let compliance = tlv(0x30, &oid(&[0x04, 0x00, 0x8e, 0x46, 0x01, 0x01]));
        let web = tlv(
            0x30,
            &[
                oid(&[0x04, 0x00, 0x8e, 0x46, 0x01, 0x06]),
                tlv(0x30, &oid(&[0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x03])),
            ]
            .concat(),
        );
        let role = tlv(
            0x30,
            &[oid(&[0x04, 0x00, 0x81, 0x98, 0x27, 0x01, 0x03]), tlv(0x0c, b"PSP_AI")].concat(),
        );
        let psd2_info = tlv(
            0x30,
            &[
                tlv(0x30, &role),
                tlv(0x0c, b"Finansinspektionen"),
                tlv(0x0c, b"SE-FINA"),
            ]
            .concat(),
        );
        let psd2 = tlv(0x30, &[oid(&[0x04, 0x00, 0x81, 0x98, 0x27, 0x02]), psd2_info].concat());
        tlv(0x30, &[compliance, web, psd2].concat())
    }

    #[test]
    fn a_psd2_qwac_statement_decodes() -> Result<(), String> {
        let q = decode(&sample())?;
        assert!(q.compliance);
        assert_eq!(q.types, vec![QcType::Web]);
        let p = q.psd2.ok_or("no PSD2 statement")?;
        assert_eq!(p.nca_name, "Finansinspektionen");
        assert_eq!(p.nca_id, "SE-FINA");
        assert_eq!(p.roles.len(), 1);
        assert_eq!(p.roles[0].code(), Some("PSP_AI"));
        Ok(())
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        use rand::{Rng, RngCore, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(119_495);
        let good = sample();
        for i in 0..20_000 {
            let bytes = if i % 2 == 0 {
                let mut b = vec![0u8; rng.gen_range(0..300)];
                rng.fill_bytes(&mut b);
                b
            } else {
                // Mutations and truncations of a valid statement reach deeper.
                let mut b = good.clone();
                for _ in 0..rng.gen_range(1..6) {
                    let at = rng.gen_range(0..b.len());
                    b[at] = rng.r#gen();
                }
                b.truncate(rng.gen_range(0..=b.len()));
                b
            };
            let _ = decode(&bytes);
        }
    }
}
