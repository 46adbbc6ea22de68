//! Certificates made here with rcgen, for the cases the fixtures lack: other
//! QcTypes, all four roles, an empty role list, a CSR.

use base64::Engine;
use rcgen::{CertificateParams, CustomExtension, DnType, KeyPair};
use time::OffsetDateTime;

use super::from_pem_or_der;

/// qcStatements with compliance, a QcType and, if given, a PSD2 statement with these roles.
fn qc_statements(qc_type: u64, roles: Option<&[(u64, &str)]>) -> Vec<u8> {
    super::encode::qc_statements(qc_type, roles.map(|r| (r, "Finansinspektionen", "SE-FINA")))
}

fn params(org_id: &str, statements: Vec<u8>) -> Result<CertificateParams, rcgen::Error> {
    let mut p = CertificateParams::new(vec!["tpp.example".to_string()])?;
    p.distinguished_name.push(DnType::OrganizationName, "Example TPP AB");
    p.distinguished_name.push(DnType::CountryName, "SE");
    p.distinguished_name
        .push(DnType::CustomDnType(vec![2, 5, 4, 97]), org_id);
    p.not_before = OffsetDateTime::now_utc() - time::Duration::days(1);
    p.not_after = OffsetDateTime::now_utc() + time::Duration::days(365);
    p.custom_extensions.push(CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 5, 5, 7, 1, 3],
        statements,
    ));
    Ok(p)
}

fn der(p: Result<CertificateParams, rcgen::Error>) -> Result<Vec<u8>, rcgen::Error> {
    Ok(p?.self_signed(&KeyPair::generate()?)?.der().to_vec())
}

/// The refusal code, or "accepted".
fn code(bytes: &[u8]) -> &'static str {
    check(bytes).map(|_| "accepted").unwrap_or_else(|c| c)
}

fn check(bytes: &[u8]) -> Result<super::Qwac, &'static str> {
    from_pem_or_der(bytes, OffsetDateTime::now_utc()).map_err(|r| r.code)
}

#[test]
fn a_qwac_with_all_four_roles_lists_each_with_its_meaning() -> Result<(), Box<dyn std::error::Error>> {
    let roles = [(1, "PSP_AS"), (2, "PSP_PI"), (3, "PSP_AI"), (4, "PSP_IC")];
    let q = check(&der(params("PSDSE-FINA-700001", qc_statements(3, Some(&roles))))?)?;
    let codes: Vec<_> = q.roles.iter().filter_map(|r| r.code()).collect();
    assert_eq!(codes, ["PSP_AS", "PSP_PI", "PSP_AI", "PSP_IC"]);
    assert!(q.roles[3].meaning().contains("funds are available"));
    assert_eq!(q.organization_id, "PSDSE-FINA-700001");
    Ok(())
}

#[test]
fn an_esign_certificate_is_not_a_qwac() -> Result<(), rcgen::Error> {
    let cert = der(params("PSDSE-FINA-700002", qc_statements(1, Some(&[(3, "PSP_AI")]))))?;
    assert_eq!(code(&cert), "not_qwac");
    Ok(())
}

#[test]
fn a_psd2_statement_without_roles_is_refused() -> Result<(), rcgen::Error> {
    let cert = der(params("PSDSE-FINA-700003", qc_statements(3, Some(&[]))))?;
    assert_eq!(code(&cert), "no_psd2_roles");
    Ok(())
}

#[test]
fn a_lower_case_organization_id_is_not_a_psd2_one() -> Result<(), rcgen::Error> {
    let cert = der(params("psdse-fina-700004", qc_statements(3, Some(&[(3, "PSP_AI")]))))?;
    assert_eq!(code(&cert), "bad_organization_identifier");
    Ok(())
}

#[test]
fn a_certificate_signing_request_is_refused_as_such() -> Result<(), rcgen::Error> {
    let key = KeyPair::generate()?;
    let csr = params("PSDSE-FINA-700005", qc_statements(3, Some(&[(3, "PSP_AI")])))?.serialize_request(&key)?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(csr.der());
    let pem = format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n");
    assert_eq!(code(pem.as_bytes()), "csr_not_accepted");
    assert_eq!(code(csr.der()), "not_a_certificate");
    Ok(())
}
