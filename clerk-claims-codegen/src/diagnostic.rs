//! Diagnostics: what is wrong, where (a byte span into the template file), and what to do next.
//!
//! A [`Diagnostic`] holds a byte span; a [`Source`] turns it into `line:column` and renders it the way
//! rustc does (`error[code]: message`, ` --> file:line:col`, the source line with a caret, a help line).

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// How bad a diagnostic is. Errors fail `check` and the build; warnings are printed only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The template is rejected.
    Error,
    /// The template is accepted, but something deserves a look.
    Warning,
}

/// The stable identifier of each kind of problem, shown as `error[<code>]`.
///
/// ```
/// use clerk_claims_codegen::Code;
/// assert_eq!(Code::UnknownShortcode.as_str(), "unknown-shortcode");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The file could not be read (missing, a directory, too large, not UTF-8).
    Io,
    /// The file is not valid JSON.
    InvalidJson,
    /// Nesting deeper than the parser accepts.
    TooDeep,
    /// An object has the same key twice (serde_json would silently keep the last one).
    DuplicateKey,
    /// `claims` (or the bare file) is not a JSON object, or a setting has the wrong JSON type.
    InvalidTemplate,
    /// A claim Clerk sets itself (`sub`, `exp`, ...) is set by the template.
    ReservedClaim,
    /// A key contains `{{`: shortcodes are values only.
    ShortcodeInKey,
    /// A shortcode Clerk does not know (Clerk would render `null`).
    UnknownShortcode,
    /// A `{{ ... }}` expression that does not parse.
    MalformedExpression,
    /// `user.private_metadata`: private metadata never leaves Clerk's servers.
    PrivateMetadata,
    /// A path into a value that is not an object (`user.primary_email_address.email`).
    PathIntoNonObject,
    /// `lifetime` or `allowed_clock_skew` out of the Backend API's range.
    SettingOutOfRange,
    /// `custom_signing_key` without `signing_algorithm`, or an unknown algorithm.
    SigningAlgorithm,
    /// A `signing_key` value in the file: secrets never live in the repository.
    SigningKeyInFile,
    /// Two templates with the same name.
    DuplicateName,
    /// The largest token the template can produce is over Clerk's budget.
    Size,
    /// A `rust.metadata` type hint that does not parse.
    MetadataHint,
    /// `user.unsafe_metadata` feeds a claim: the user can write it from the browser.
    UnsafeMetadata,
    /// A JWT template renders `sid`, `sts` or `v`, the claims of a session token.
    SessionClaimInTemplate,
}

impl Code {
    /// The kebab-case identifier printed in `error[...]`.
    ///
    /// ```
    /// assert_eq!(clerk_claims_codegen::Code::ReservedClaim.as_str(), "reserved-claim");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::InvalidJson => "invalid-json",
            Code::TooDeep => "too-deep",
            Code::DuplicateKey => "duplicate-key",
            Code::InvalidTemplate => "invalid-template",
            Code::ReservedClaim => "reserved-claim",
            Code::ShortcodeInKey => "shortcode-in-key",
            Code::UnknownShortcode => "unknown-shortcode",
            Code::MalformedExpression => "malformed-expression",
            Code::PrivateMetadata => "private-metadata",
            Code::PathIntoNonObject => "path-into-non-object",
            Code::SettingOutOfRange => "setting-out-of-range",
            Code::SigningAlgorithm => "signing-algorithm",
            Code::SigningKeyInFile => "signing-key-in-file",
            Code::DuplicateName => "duplicate-name",
            Code::Size => "size",
            Code::MetadataHint => "metadata-hint",
            Code::UnsafeMetadata => "unsafe-metadata",
            Code::SessionClaimInTemplate => "session-claim-in-template",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a template.
///
/// ```
/// use clerk_claims_codegen::{Code, Diagnostic, Severity};
/// let d = Diagnostic::error(Code::ReservedClaim, "`sub` is set by Clerk", 3..8)
///     .with_help("remove the claim");
/// assert_eq!(d.severity, Severity::Error);
/// assert_eq!(d.span, Some(3..8));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem.
    pub code: Code,
    /// What was expected and what was found.
    pub message: String,
    /// Byte range into the file; `None` when the problem is about the file as a whole.
    pub span: Option<Range<usize>>,
    /// A short label under the caret.
    pub label: Option<String>,
    /// What to do next (a suggestion, the setting to change).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// let d = Diagnostic::error(Code::InvalidJson, "expected `,`", 10..11);
    /// assert!(d.is_error());
    /// ```
    pub fn error(code: Code, message: impl Into<String>, span: Range<usize>) -> Self {
        Self::new(Severity::Error, code, message, Some(span))
    }

    /// A warning at `span`.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// assert!(!Diagnostic::warning(Code::Size, "large", 0..1).is_error());
    /// ```
    pub fn warning(code: Code, message: impl Into<String>, span: Range<usize>) -> Self {
        Self::new(Severity::Warning, code, message, Some(span))
    }

    /// A problem with the file as a whole (no position).
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// assert_eq!(Diagnostic::file_error(Code::Io, "not found").span, None);
    /// ```
    pub fn file_error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message, None)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        Diagnostic { severity, code, message: message.into(), span, label: None, help: None }
    }

    /// Adds a help line.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// let d = Diagnostic::file_error(Code::Io, "x").with_help("do y");
    /// assert_eq!(d.help.as_deref(), Some("do y"));
    /// ```
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a label under the caret.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// let d = Diagnostic::error(Code::Io, "x", 0..1).with_label("here");
    /// assert_eq!(d.label.as_deref(), Some("here"));
    /// ```
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Whether this diagnostic fails the check.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic};
    /// assert!(Diagnostic::file_error(Code::Io, "x").is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A 1-based line and column (columns count characters, as rustc does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A template file's name (as it is shown in diagnostics) and text.
///
/// ```
/// use clerk_claims_codegen::Source;
/// let src = Source::new("t.json", "{\n  \"a\": 1\n}");
/// assert_eq!(src.line_col(4).to_string(), "2:3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path as shown in ` --> path:line:col`.
    pub name: String,
    /// The whole file.
    pub text: String,
}

impl Source {
    /// A source named `name` holding `text`.
    ///
    /// ```
    /// # use clerk_claims_codegen::Source;
    /// assert_eq!(Source::new("a.json", "{}").text, "{}");
    /// ```
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source { name: name.into(), text: text.into() }
    }

    /// The line and column of a byte offset (clamped to the text; a mid-character offset counts as
    /// that character).
    ///
    /// ```
    /// # use clerk_claims_codegen::Source;
    /// let src = Source::new("t", "ab\ncd");
    /// assert_eq!((src.line_col(4).line, src.line_col(4).column), (2, 2));
    /// ```
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let before = self.text.as_bytes().get(..offset).unwrap_or_default();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before[line_start..].iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        LineCol { line, column }
    }

    /// Where a diagnostic points, if it has a span.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic, Source};
    /// let src = Source::new("t", "{\"sub\": 1}");
    /// let d = Diagnostic::error(Code::ReservedClaim, "x", 1..6);
    /// assert_eq!(src.locate(&d).unwrap().to_string(), "1:2");
    /// ```
    pub fn locate(&self, diagnostic: &Diagnostic) -> Option<LineCol> {
        diagnostic.span.as_ref().map(|span| self.line_col(span.start))
    }

    /// The diagnostic as rustc prints it: `error[code]: message`, ` --> file:line:col`, the source line
    /// with a caret, and a `= help:` line.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic, Source};
    /// let src = Source::new("t.json", "{\"sub\": 1}");
    /// let text = src.render(&Diagnostic::error(Code::ReservedClaim, "`sub` is set by Clerk", 1..6));
    /// assert!(text.starts_with("error[reserved-claim]: `sub` is set by Clerk"));
    /// assert!(text.contains("--> t.json:1:2"));
    /// ```
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(diagnostic.message.as_str()).id(diagnostic.code.as_str());
        let help = diagnostic.help.as_deref().map(|help| Level::HELP.message(help));
        let group = match &diagnostic.span {
            Some(span) => {
                let span = clamp_to_chars(&self.text, span.clone());
                let mut annotation = AnnotationKind::Primary.span(span);
                if let Some(label) = &diagnostic.label {
                    annotation = annotation.label(label.as_str());
                }
                let snippet = Snippet::source(self.text.as_str())
                    .path(self.name.as_str())
                    .fold(true)
                    .annotation(annotation);
                let group = title.element(snippet);
                match help {
                    Some(help) => group.element(help),
                    None => group,
                }
            }
            None => {
                let origin = Level::NOTE.message(format!("in {}", self.name));
                let group = title.element(origin);
                match help {
                    Some(help) => group.element(help),
                    None => group,
                }
            }
        };
        Renderer::plain().render(&[group])
    }

    /// The one-line form used in build scripts: `file:line:col: error[code]: message (help: ...)`.
    ///
    /// ```
    /// # use clerk_claims_codegen::{Code, Diagnostic, Source};
    /// let src = Source::new("t.json", "{\"sub\": 1}");
    /// let d = Diagnostic::error(Code::ReservedClaim, "`sub` is set by Clerk", 1..6);
    /// assert_eq!(src.render_short(&d), "t.json:1:2: error[reserved-claim]: `sub` is set by Clerk");
    /// ```
    pub fn render_short(&self, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let location = match self.locate(diagnostic) {
            Some(at) => format!("{}:{at}", self.name),
            None => self.name.clone(),
        };
        let mut line = format!("{location}: {level}[{}]: {}", diagnostic.code, diagnostic.message);
        if let Some(help) = &diagnostic.help {
            line.push_str(&format!(" (help: {help})"));
        }
        line
    }
}

/// Moves a byte range onto character boundaries so the renderer never slices inside a character.
fn clamp_to_chars(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
