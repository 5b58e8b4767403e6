//! `generate`: check and generate 200 templates (the Rust file, schemas, Dashboard bodies, setup
//! sheets), against a baseline of only reading and parsing them as JSON, in the same run.

use std::path::Path;

use clerk_claims_codegen::Generator;
use criterion::{Criterion, criterion_group, criterion_main};

const TEMPLATES: usize = 200;

/// 200 templates made from the bundled presets, each under its own name and type.
fn write_templates(dir: &Path) {
    let presets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let mut sources: Vec<serde_json::Value> = std::fs::read_dir(&presets)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    sources.sort_by_key(|v| v["name"].as_str().unwrap_or_default().to_string());
    for i in 0..TEMPLATES {
        let mut t = sources[i % sources.len()].clone();
        t["name"] = format!("template-{i}").into();
        t["kind"] = "template".into();
        t["rust"]["type"] = format!("Template{i}Claims").into();
        std::fs::write(dir.join(format!("template-{i}.json")), t.to_string()).unwrap();
    }
}

fn generate(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_templates(dir.path());
    let generator = Generator::new().templates_dir(dir.path());
    let mut group = c.benchmark_group("generate");
    group.sample_size(20);
    group.bench_function("read_and_parse_json", |b| {
        b.iter(|| {
            for entry in std::fs::read_dir(dir.path()).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                std::hint::black_box(serde_json::from_str::<serde_json::Value>(&text).unwrap());
            }
        })
    });
    group
        .bench_function("200_templates", |b| b.iter(|| std::hint::black_box(generator.artifacts().unwrap())));
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
