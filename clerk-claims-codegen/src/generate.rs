//! `Generator`: the build.rs front-end, and the artifacts `clerk-claims generate` writes.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     clerk_claims_codegen::Generator::new().templates_dir("templates").generate()?;
//!     Ok(())
//! }
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::emit;
use crate::load::{Checked, LoadError, check_paths};
use crate::template::Template;
use crate::types::TypeModel;

/// The file build.rs writes into `$OUT_DIR` and `include_claims!()` includes.
pub const RUST_FILE: &str = "clerk_claims.rs";

/// Generates claim types (and the Dashboard files, schemas and setup sheets) from a directory of
/// templates.
#[derive(Debug, Clone)]
pub struct Generator {
    templates_dir: PathBuf,
    out_dir: Option<PathBuf>,
}

impl Default for Generator {
    fn default() -> Self {
        Generator { templates_dir: PathBuf::from("templates"), out_dir: None }
    }
}

/// One generated file: its path relative to the output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// File name within the output directory.
    pub path: PathBuf,
    /// Contents.
    pub contents: String,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The templates directory could not be listed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Some template has errors; `report` has them as `file:line:col: error[...]: ...` lines.
    #[error("{count} error{} in the templates:\n{report}", if *count == 1 { "" } else { "s" })]
    Templates {
        /// How many errors.
        count: usize,
        /// One line per error.
        report: String,
    },
    /// An output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Neither `out_dir` nor `$OUT_DIR` is set (not running in a build script).
    #[error("OUT_DIR is not set: call generate() from build.rs, or set .out_dir(...)")]
    NoOutDir,
    /// Checked-in files differ from what the templates generate.
    #[error("{} generated file{} out of date: {}\nrun `clerk-claims generate` and commit the result",
        .0.len(), if .0.len() == 1 { " is" } else { "s are" },
        .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Stale(Vec<PathBuf>),
}

impl Generator {
    /// A generator reading `templates/`, writing into `$OUT_DIR`.
    ///
    /// ```
    /// let generator = clerk_claims_codegen::Generator::new();
    /// # let _ = generator;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The directory whose `*.json` files are the templates.
    ///
    /// ```
    /// let generator = clerk_claims_codegen::Generator::new().templates_dir("auth/templates");
    /// # let _ = generator;
    /// ```
    pub fn templates_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.templates_dir = dir.into();
        self
    }

    /// Where `generate` writes `clerk_claims.rs` (default: `$OUT_DIR`).
    ///
    /// ```
    /// let generator = clerk_claims_codegen::Generator::new().out_dir("target/generated");
    /// # let _ = generator;
    /// ```
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The build.rs entry point: checks every template, prints `cargo:rerun-if-changed` for each file
    /// and the directory and `cargo:warning=` for each warning, and writes `clerk_claims.rs` into the
    /// output directory when its contents changed. Errors print as `file:line:col: error[...]` lines
    /// and fail the build.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join("clerk-claims-doc-generate");
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// std::fs::create_dir_all(dir.join("templates")).unwrap();
    /// std::fs::write(dir.join("templates/app.json"), r#"{"id": "{{user.id}}"}"#).unwrap();
    /// let path = clerk_claims_codegen::Generator::new()
    ///     .templates_dir(dir.join("templates"))
    ///     .out_dir(dir.join("out"))
    ///     .generate()
    ///     .unwrap();
    /// assert!(std::fs::read_to_string(path).unwrap().contains("pub struct AppClaims"));
    /// ```
    pub fn generate(&self) -> Result<PathBuf, GenerateError> {
        println!("cargo:rerun-if-changed={}", self.templates_dir.display());
        let checked = self.load_for_build()?;
        for c in &checked {
            println!("cargo:rerun-if-changed={}", c.source.name);
        }
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or(GenerateError::NoOutDir)?,
        };
        let path = out_dir.join(RUST_FILE);
        write_if_changed(&path, &rust_artifact(&checked).contents)?;
        Ok(path)
    }

    /// Every generated file: `clerk_claims.rs`, and per template `<name>.dashboard.json` (the Backend
    /// API body), `<name>.schema.json` and `<name>.setup.md`.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # std::fs::write(dir.path().join("hasura.json"), r#"{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}"#).unwrap();
    /// let artifacts = clerk_claims_codegen::Generator::new()
    ///     .templates_dir(dir.path())
    ///     .artifacts()
    ///     .unwrap();
    /// assert!(artifacts.iter().any(|a| a.path.ends_with("hasura.schema.json")));
    /// ```
    pub fn artifacts(&self) -> Result<Vec<Artifact>, GenerateError> {
        let checked = self.load()?;
        let mut out = vec![rust_artifact(&checked)];
        for c in &checked {
            let (Some(t), Some(model)) = (&c.template, &c.model) else { continue };
            let name = file_stem(&c.source.name);
            let schema = emit::template_schema(t, model);
            out.push(Artifact {
                path: format!("{name}.dashboard.json").into(),
                contents: pretty(&emit::dashboard_body(t)),
            });
            out.push(Artifact { path: format!("{name}.schema.json").into(), contents: pretty(&schema) });
            out.push(Artifact {
                path: format!("{name}.setup.md").into(),
                contents: emit::setup_sheet(t, model),
            });
        }
        Ok(out)
    }

    /// Writes [`Generator::artifacts`] into `dir` (each file only when it changed).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # std::fs::write(dir.path().join("hasura.json"), r#"{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}"#).unwrap();
    /// let out = dir.path().join("generated");
    /// let written = clerk_claims_codegen::Generator::new()
    ///     .templates_dir(dir.path())
    ///     .write_artifacts(&out)
    ///     .unwrap();
    /// assert!(out.join("hasura.dashboard.json").exists() && !written.is_empty());
    /// ```
    pub fn write_artifacts(&self, dir: &Path) -> Result<Vec<PathBuf>, GenerateError> {
        let artifacts = self.artifacts()?;
        fs::create_dir_all(dir).map_err(|source| GenerateError::Write { path: dir.to_path_buf(), source })?;
        let mut written = Vec::new();
        for a in artifacts {
            let path = dir.join(&a.path);
            write_if_changed(&path, &a.contents)?;
            written.push(path);
        }
        Ok(written)
    }

    /// For CI, like `cargo fmt --check`: regenerates and fails naming every file in `dir` that is
    /// missing or differs.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # std::fs::write(dir.path().join("hasura.json"), r#"{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}"#).unwrap();
    /// let generator = clerk_claims_codegen::Generator::new().templates_dir(dir.path());
    /// let err = generator.check_artifacts(std::path::Path::new("no/such/dir")).unwrap_err();
    /// assert!(err.to_string().contains("out of date"));
    /// ```
    pub fn check_artifacts(&self, dir: &Path) -> Result<(), GenerateError> {
        let stale: Vec<PathBuf> = self
            .artifacts()?
            .into_iter()
            .map(|a| (dir.join(&a.path), a.contents))
            .filter(|(path, contents)| fs::read_to_string(path).ok().as_deref() != Some(contents.as_str()))
            .map(|(path, _)| path)
            .collect();
        if stale.is_empty() { Ok(()) } else { Err(GenerateError::Stale(stale)) }
    }

    /// [`Generator::check_artifacts`] on `<templates_dir>/generated`, where `clerk-claims generate`
    /// writes the checked-in files by default.
    ///
    /// ```
    /// let generator = clerk_claims_codegen::Generator::new().templates_dir("no/such/templates");
    /// assert!(generator.check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), GenerateError> {
        self.check_artifacts(&self.templates_dir.join("generated"))
    }

    fn load(&self) -> Result<Vec<Checked>, GenerateError> {
        let checked = check_paths(std::slice::from_ref(&self.templates_dir))?;
        let errors: Vec<String> = checked
            .iter()
            .flat_map(|c| c.diagnostics.iter().filter(|d| d.is_error()).map(|d| c.source.render_short(d)))
            .collect();
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(GenerateError::Templates { count: errors.len(), report: errors.join("\n") })
        }
    }

    fn load_for_build(&self) -> Result<Vec<Checked>, GenerateError> {
        let result = self.load();
        if let Ok(checked) = &result {
            for c in checked {
                for d in c.diagnostics.iter().filter(|d| !d.is_error()) {
                    println!("cargo:warning={}", c.source.render_short(d));
                }
            }
        }
        if let Err(GenerateError::Templates { report, .. }) = &result {
            eprintln!("{report}");
        }
        result
    }
}

/// The Rust file; doc comments name each template as `<templates dir name>/<file>`, so the output
/// does not depend on where the generator runs from.
fn rust_artifact(checked: &[Checked]) -> Artifact {
    let names: Vec<String> = checked.iter().map(|c| display_name(&c.source.name)).collect();
    let templates: Vec<(&Template, &TypeModel, &str)> = checked
        .iter()
        .zip(&names)
        .filter_map(|(c, name)| Some((c.template.as_ref()?, c.model.as_ref()?, name.as_str())))
        .collect();
    Artifact { path: RUST_FILE.into(), contents: emit::rust_file(&templates) }
}

/// Two templates whose generated types share a name are an error on the second.
fn display_name(path: &str) -> String {
    let path = Path::new(path);
    let file = path.file_name().and_then(|s| s.to_str()).unwrap_or_default();
    match path.parent().and_then(Path::file_name).and_then(|s| s.to_str()) {
        Some(dir) => format!("{dir}/{file}"),
        None => file.to_string(),
    }
}

fn file_stem(name: &str) -> String {
    Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or("template").to_string()
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `contents` unless the file already holds exactly that (so mtimes, and rebuilds, stay still).
fn write_if_changed(path: &Path, contents: &str) -> Result<(), GenerateError> {
    if fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|source| GenerateError::Write { path: parent.to_path_buf(), source })?;
    }
    fs::write(path, contents).map_err(|source| GenerateError::Write { path: path.to_path_buf(), source })
}
