//! The bank's brand: name, logo, accent colours, footer links, support
//! contact and the legal texts developers approve. Read once at start from
//! `DEVPORTAL_BRAND_DIR` (a `brand.toml` and the files it names), so a bank
//! rebrands the portal without a rebuild; without it the brand is neutral.

use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

/// The largest logo, favicon or legal text the portal loads (a logo is a few KiB).
const MAX_FILE: u64 = 512 * 1024;

#[derive(Debug, Clone)]
pub struct Brand {
    pub name: String,
    pub tagline: String,
    pub logo: Option<Asset>,
    pub favicon: Asset,
    /// Links, buttons and the header's rule; white text on it must read (4.5:1).
    pub accent: Colour,
    /// Hover and pressed buttons.
    pub accent_dark: Colour,
    pub footer: Vec<FooterLink>,
    pub support: Support,
    pub privacy: LegalText,
    pub terms: LegalText,
}

/// A file served as it is, with its media type.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FooterLink {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
}

impl Support {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.url.is_none()
    }
}

/// A legal document in Markdown with the version developers approve.
#[derive(Debug, Clone)]
pub struct LegalText {
    pub version: String,
    pub markdown: String,
}

/// A colour as `#rrggbb`: nothing else reaches the stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour([u8; 3]);

impl Colour {
    pub fn parse(s: &str) -> Result<Colour, String> {
        let hex = s.trim().strip_prefix('#').unwrap_or("");
        let full = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
            6 => hex.to_string(),
            _ => return Err(format!("{s:?} is not a colour: write it as #rrggbb")),
        };
        let mut rgb = [0u8; 3];
        for (i, byte) in rgb.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&full[2 * i..2 * i + 2], 16)
                .map_err(|_| format!("{s:?} is not a colour: write it as #rrggbb"))?;
        }
        Ok(Colour(rgb))
    }

    pub fn css(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG 2.1 relative luminance.
    fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// Contrast ratio against white (1 to 21).
    pub fn contrast_with_white(self) -> f64 {
        1.05 / (self.luminance() + 0.05)
    }

    /// The colour three quarters as light, for hover.
    fn darker(self) -> Colour {
        let [r, g, b] = self.0;
        let d = |c: u8| (u16::from(c) * 3 / 4) as u8;
        Colour([d(r), d(g), d(b)])
    }
}

const DEFAULT_ACCENT: Colour = Colour([0x1d, 0x4f, 0x91]);

impl Default for Brand {
    fn default() -> Brand {
        Brand {
            name: "Devportal".into(),
            tagline: "Open banking developer portal".into(),
            logo: None,
            favicon: Asset {
                bytes: include_bytes!("favicon.svg").to_vec(),
                content_type: "image/svg+xml",
            },
            accent: DEFAULT_ACCENT,
            accent_dark: DEFAULT_ACCENT.darker(),
            footer: Vec::new(),
            support: Support::default(),
            privacy: LegalText {
                version: "2026-11-01".into(),
                markdown: include_str!("privacy.md").into(),
            },
            terms: LegalText {
                version: "2026-11-01".into(),
                markdown: include_str!("terms.md").into(),
            },
        }
    }
}

/// `brand.toml` as the bank writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFile {
    name: String,
    tagline: Option<String>,
    logo: Option<String>,
    favicon: Option<String>,
    #[serde(default)]
    colours: Colours,
    #[serde(default)]
    footer: Vec<FooterLink>,
    #[serde(default)]
    support: Support,
    legal: Option<Legal>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Colours {
    accent: Option<String>,
    accent_dark: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Legal {
    privacy: Option<LegalFile>,
    terms: Option<LegalFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalFile {
    version: String,
    file: String,
}

impl Brand {
    /// Reads `dir/brand.toml` and the files it names. Anything wrong stops
    /// the start with what to fix: a half-applied brand is worse than none.
    pub fn load(dir: &Path) -> anyhow::Result<Brand> {
        let toml_path = dir.join("brand.toml");
        let text = std::fs::read_to_string(&toml_path).with_context(|| format!("reading {}", toml_path.display()))?;
        let file: BrandFile = toml::from_str(&text).with_context(|| format!("in {}", toml_path.display()))?;
        let neutral = Brand::default();
        let name = file.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 60 {
            bail!("brand.toml: name must be 1 to 60 characters");
        }
        let accent = match &file.colours.accent {
            Some(c) => Colour::parse(c).map_err(|e| anyhow::anyhow!("brand.toml [colours] accent: {e}"))?,
            None => neutral.accent,
        };
        if accent.contrast_with_white() < 4.5 {
            bail!(
                "brand.toml [colours] accent {} has a contrast of {:.1}:1 with white; links and button text need 4.5:1 (WCAG 2.1 AA): choose a darker shade",
                accent.css(),
                accent.contrast_with_white()
            );
        }
        let accent_dark = match &file.colours.accent_dark {
            Some(c) => Colour::parse(c).map_err(|e| anyhow::anyhow!("brand.toml [colours] accent_dark: {e}"))?,
            None => accent.darker(),
        };
        for link in &file.footer {
            if !(link.url.starts_with("https://") || link.url.starts_with('/')) || link.label.trim().is_empty() {
                bail!(
                    "brand.toml [[footer]] {:?}: a label and an https:// (or /path) url",
                    link.label
                );
            }
        }
        if let Some(url) = &file.support.url
            && !url.starts_with("https://")
        {
            bail!("brand.toml [support] url must start with https://");
        }
        let legal = |doc: Option<&LegalFile>, fallback: LegalText| -> anyhow::Result<LegalText> {
            let Some(doc) = doc else { return Ok(fallback) };
            let version = doc.version.trim();
            if version.is_empty() || version.len() > 40 {
                bail!("brand.toml [legal]: a version of 1 to 40 characters for {}", doc.file);
            }
            let bytes = read_asset(dir, &doc.file)?;
            let markdown = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", doc.file))?;
            Ok(LegalText {
                version: version.to_string(),
                markdown,
            })
        };
        let legal_files = file.legal.as_ref();
        Ok(Brand {
            tagline: file.tagline.unwrap_or(neutral.tagline.clone()),
            logo: file.logo.as_deref().map(|f| image(dir, f)).transpose()?,
            favicon: match file.favicon.as_deref() {
                Some(f) => image(dir, f)?,
                None => neutral.favicon.clone(),
            },
            accent,
            accent_dark,
            footer: file.footer,
            support: file.support,
            privacy: legal(legal_files.and_then(|l| l.privacy.as_ref()), neutral.privacy.clone())?,
            terms: legal(legal_files.and_then(|l| l.terms.as_ref()), neutral.terms.clone())?,
            name,
        })
    }

    /// The accent colours for the stylesheet (served as `/brand.css`).
    pub fn stylesheet(&self) -> String {
        format!(
            ":root {{ --brand: {}; --brand-dark: {}; }}\n",
            self.accent.css(),
            self.accent_dark.css()
        )
    }
}

/// A file of the brand folder, by a plain name in it (no path elsewhere).
fn read_asset(dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("brand.toml names {name:?}: give a file name in the brand folder");
    }
    let path = dir.join(name);
    let size = std::fs::metadata(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if size > MAX_FILE {
        bail!(
            "{} is {size} bytes; the brand's files are at most 512 KiB",
            path.display()
        );
    }
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

fn image(dir: &Path, name: &str) -> anyhow::Result<Asset> {
    let lower = name.to_ascii_lowercase();
    let content_type = if lower.ends_with(".svg") {
        "image/svg+xml"
    } else if lower.ends_with(".png") {
        "image/png"
    } else if lower.ends_with(".ico") {
        "image/x-icon"
    } else {
        bail!("{name}: the logo and favicon are SVG, PNG or ICO files");
    };
    let bytes = read_asset(dir, name)?;
    if content_type == "image/png" && !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        bail!("{name} is not a PNG file");
    }
    Ok(Asset { bytes, content_type })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_only_as_hex_and_contrast_is_wcag() -> Result<(), String> {
        assert_eq!(Colour::parse("#C8102E")?.css(), "#c8102e");
        assert_eq!(Colour::parse("#fff")?.css(), "#ffffff");
        for bad in ["red", "#12345", "#gggggg", "#fff; } body { display:none", ""] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
        assert!((Colour::parse("#000000")?.contrast_with_white() - 21.0).abs() < 0.01);
        assert!((Colour::parse("#767676")?.contrast_with_white() - 4.54).abs() < 0.01);
        assert!(DEFAULT_ACCENT.contrast_with_white() >= 4.5);
        Ok(())
    }

    #[test]
    fn a_brand_folder_is_read_and_a_pale_accent_is_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("logo.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>")?;
        std::fs::write(dir.path().join("terms.md"), "# Terms\n\nBe kind.")?;
        let write = |colour: &str| {
            std::fs::write(
                dir.path().join("brand.toml"),
                format!(
                    "name = \"Example Bank\"\nlogo = \"logo.svg\"\n[colours]\naccent = \"{colour}\"\n\
                     [[footer]]\nlabel = \"About\"\nurl = \"https://bank.example/about\"\n\
                     [legal]\nterms = {{ version = \"2027-01\", file = \"terms.md\" }}\n"
                ),
            )
        };
        write("#00594f")?;
        let brand = Brand::load(dir.path())?;
        assert_eq!(brand.name, "Example Bank");
        assert_eq!(brand.logo.as_ref().map(|l| l.content_type), Some("image/svg+xml"));
        assert_eq!(brand.terms.version, "2027-01");
        assert_eq!(brand.privacy.version, Brand::default().privacy.version);
        assert!(brand.stylesheet().contains("--brand: #00594f"));
        write("#ffcc00")?;
        let refused = Brand::load(dir.path())
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(refused.contains("contrast"), "{refused}");
        Ok(())
    }

    #[test]
    fn a_file_outside_the_brand_folder_is_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(
            dir.path().join("brand.toml"),
            "name = \"X\"\nlogo = \"../etc/passwd.svg\"\n",
        )?;
        assert!(Brand::load(dir.path()).is_err());
        Ok(())
    }
}
