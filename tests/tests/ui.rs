//! The derive's diagnostics are its contract: one file per mistake under `ui/fail`, with the
//! checked-in `.stderr` the user sees; `ui/pass` compiles and runs.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
