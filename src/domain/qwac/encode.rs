//! The qcStatements extension written out (ETSI EN 319 412-5, TS 119 495),
//! for the certificates the portal issues as a test QTSP: the reverse of
//! [`super::qc_statements::decode`].

/// The QcType arcs under 0.4.0.1862.1.6: esign 1, eseal 2, web 3.
pub const QC_TYPE_WEB: u64 = 3;

/// A PSD2 role: PSP_AS 1, PSP_PI 2, PSP_AI 3, PSP_IC 4 (the last arc of
/// 0.4.0.19495.1.x) and its name.
pub const PSP_PI: (u64, &str) = (2, "PSP_PI");
pub const PSP_AI: (u64, &str) = (3, "PSP_AI");

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    match body.len() {
        n if n < 128 => v.push(n as u8),
        n if n < 256 => v.extend([0x81, n as u8]),
        n => v.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    v.extend_from_slice(body);
    v
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut chunk = vec![(a & 0x7f) as u8];
        let mut rest = a >> 7;
        while rest > 0 {
            chunk.insert(0, (rest & 0x7f) as u8 | 0x80);
            rest >>= 7;
        }
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

fn sequence(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}

/// A PSD2 statement: the roles, and the competent authority's name and id.
pub type Psd2<'a> = (&'a [(u64, &'a str)], &'a str, &'a str);

/// QcCompliance, the QcType, and (when `psd2` is given) the PSD2 statement.
pub fn qc_statements(qc_type: u64, psd2: Option<Psd2<'_>>) -> Vec<u8> {
    let mut statements = vec![
        sequence(&[oid(&[0, 4, 0, 1862, 1, 1])]),
        sequence(&[
            oid(&[0, 4, 0, 1862, 1, 6]),
            sequence(&[oid(&[0, 4, 0, 1862, 1, 6, qc_type])]),
        ]),
    ];
    if let Some((roles, nca_name, nca_id)) = psd2 {
        let roles: Vec<Vec<u8>> = roles
            .iter()
            .map(|(arc, name)| sequence(&[oid(&[0, 4, 0, 19495, 1, *arc]), utf8(name)]))
            .collect();
        let info = sequence(&[sequence(&roles), utf8(nca_name), utf8(nca_id)]);
        statements.push(sequence(&[oid(&[0, 4, 0, 19495, 2]), info]));
    }
    sequence(&statements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::qwac::qc_statements::{QcType, decode};

    #[test]
    fn what_is_written_reads_back() -> Result<(), String> {
        let read = decode(&qc_statements(
            QC_TYPE_WEB,
            Some((&[PSP_AI, PSP_PI], "Test NCA", "XX-TEST")),
        ))?;
        assert!(read.compliance);
        assert_eq!(read.types, vec![QcType::Web]);
        let psd2 = read.psd2.ok_or("no PSD2 statement")?;
        let codes: Vec<_> = psd2.roles.iter().filter_map(|r| r.code()).collect();
        assert_eq!(codes, ["PSP_AI", "PSP_PI"]);
        assert_eq!((psd2.nca_name.as_str(), psd2.nca_id.as_str()), ("Test NCA", "XX-TEST"));
        Ok(())
    }
}
