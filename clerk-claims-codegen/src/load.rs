//! Reading template files safely and checking a set of them together.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::check::check_template;
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::template::Template;
use crate::types::TypeModel;

/// Template files larger than this are rejected before parsing (a template is a small JSON object).
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// One template file after parsing and checking.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file (empty text when it could not be read).
    pub source: Source,
    /// The template, when the file parsed far enough to have claims.
    pub template: Option<Template>,
    /// The types generated for the template, built once here for every step that needs them.
    pub model: Option<TypeModel>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, check_source};
    /// assert!(check_source(Source::new("t.json", r#"{"sub": "x"}"#)).has_errors());
    /// assert!(!check_source(Source::new("t.json", r#"{"id": "{{user.id}}"}"#)).has_errors());
    /// ```
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Every diagnostic rendered as rustc does, separated by blank lines.
    ///
    /// ```
    /// use clerk_claims_codegen::{Source, check_source};
    /// let text = check_source(Source::new("t.json", r#"{"sub": "x"}"#)).render();
    /// assert!(text.contains("error[reserved-claim]"));
    /// ```
    pub fn render(&self) -> String {
        self.diagnostics.iter().map(|d| self.source.render(d)).collect::<Vec<_>>().join("\n")
    }
}

/// Parses and checks one template source.
///
/// ```
/// use clerk_claims_codegen::{Source, check_source};
/// let checked = check_source(Source::new("t.json", r#"{"email": "{{user.email}}"}"#));
/// let d = &checked.diagnostics[0];
/// assert_eq!(checked.source.locate(d).unwrap().to_string(), "1:14");
/// assert_eq!(d.help.as_deref(), Some("did you mean `user.primary_email_address`?"));
/// ```
pub fn check_source(source: Source) -> Checked {
    let (template, mut diagnostics) = Template::parse(&source);
    if let Some(t) = &template {
        diagnostics.extend(check_template(t));
    }
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    let model = template.as_ref().map(TypeModel::of);
    Checked { source, template, model, diagnostics }
}

/// A file that could not be read as a template: what was read of it (for showing the position) and
/// why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// The file's name and whatever text could be shown.
    pub source: Source,
    /// Why it was rejected.
    pub diagnostic: Diagnostic,
}

/// Reads a template file: at most [`MAX_TEMPLATE_BYTES`], valid UTF-8.
///
/// ```
/// use clerk_claims_codegen::{Code, read_source};
/// let err = read_source(std::path::Path::new("no/such/file.json")).unwrap_err();
/// assert_eq!(err.diagnostic.code, Code::Io);
/// ```
pub fn read_source(path: &Path) -> Result<Source, Box<Unreadable>> {
    let name = path.display().to_string();
    let unreadable = |source: Source, diagnostic: Diagnostic| Box::new(Unreadable { source, diagnostic });
    let fail = |message: String| {
        Err(unreadable(Source::new(name.clone(), ""), Diagnostic::file_error(Code::Io, message)))
    };
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return fail(format!("cannot read {name}: {e}")),
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_TEMPLATE_BYTES + 1).read_to_end(&mut bytes) {
        return fail(format!("cannot read {name}: {e}"));
    }
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return fail(format!(
            "{name} is larger than {} KiB; a template file is a small JSON object",
            MAX_TEMPLATE_BYTES / 1024
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(Code::Io, "the file is not valid UTF-8", at..at + 1)
                .with_help("save the template as UTF-8 JSON");
            Err(unreadable(Source::new(name, text), d))
        }
    }
}

/// Reads and checks one file.
///
/// ```
/// let checked = clerk_claims_codegen::check_file(std::path::Path::new("missing.json"));
/// assert!(checked.has_errors());
/// ```
pub fn check_file(path: &Path) -> Checked {
    match read_source(path) {
        Ok(source) => check_source(source),
        Err(e) => Checked { source: e.source, template: None, model: None, diagnostics: vec![e.diagnostic] },
    }
}

/// Why a set of template paths could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A path given does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    /// A directory could not be listed.
    #[error("cannot list {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The template files of a directory: every `*.json` directly in it, sorted by name.
///
/// ```
/// let err = clerk_claims_codegen::template_files(std::path::Path::new("no/such/dir")).unwrap_err();
/// assert!(err.to_string().contains("no/such/dir"));
/// ```
pub fn template_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = fs::read_dir(dir).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(dir.to_path_buf()),
        _ => LoadError::Io { path: dir.to_path_buf(), source },
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| LoadError::Io { path: dir.to_path_buf(), source })?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Checks files and directories (each `*.json` directly inside) together: every file's own
/// diagnostics, plus an error for each template name used twice.
///
/// ```
/// let err = clerk_claims_codegen::check_paths(&["no/such/dir".into()]).unwrap_err();
/// assert!(matches!(err, clerk_claims_codegen::LoadError::NotFound(_)));
/// ```
pub fn check_paths(paths: &[PathBuf]) -> Result<Vec<Checked>, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(template_files(path)?);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(LoadError::NotFound(path.clone()));
        }
    }
    let mut checked: Vec<Checked> = files.iter().map(|f| check_file(f)).collect();
    let mut first_file: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    for c in &mut checked {
        let Some(t) = &c.template else { continue };
        let key = (t.name.clone(), t.kind.as_str());
        match first_file.get(&key) {
            None => {
                first_file.insert(key, c.source.name.clone());
            }
            Some(first) => {
                let message = format!("a template named `{}` is already defined in {first}", t.name);
                let help = "template names are unique within an instance; rename one of them";
                let d = match t.name_span.clone() {
                    Some(span) => Diagnostic::error(Code::DuplicateName, message, span),
                    None => Diagnostic::file_error(Code::DuplicateName, message),
                };
                c.diagnostics.push(d.with_help(help));
            }
        }
    }
    duplicate_types(&mut checked);
    Ok(checked)
}

/// Two templates of one set that would generate a type of the same name (one file of Rust holds
/// them all): `check` refuses what `generate` could not write.
fn duplicate_types(checked: &mut [Checked]) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for c in checked.iter_mut() {
        let Some(model) = &c.model else { continue };
        for def in &model.structs {
            match seen.get(&def.name) {
                None => {
                    seen.insert(def.name.clone(), c.source.name.clone());
                }
                Some(first) => {
                    let d = Diagnostic::file_error(
                        Code::DuplicateName,
                        format!("the generated type `{}` is also generated for {first}", def.name),
                    )
                    .with_help("set a distinct \"rust\": {\"type\": \"...\"} in one of the templates");
                    c.diagnostics.push(d);
                }
            }
        }
    }
}
