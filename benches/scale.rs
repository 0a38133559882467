//! Prints how long each phase takes on generated templates of 1,000, 10,000 and 100,000
//! resources: parse (YAML → tree), graph (tree → resources, edges, indexes) and rules (every
//! built-in rule), with a ratio line per phase from one size to the next, marked when 10× the
//! resources cost more than 12× the time; then how long 3,000 findings of one file take to
//! render as human output and as JSON. Run with `cargo bench`. Figures, not assertions: these
//! machines are shared and noisy.

use std::fmt::Write;
use std::time::{Duration, Instant};

use ecslint::dsl::Program;
use ecslint::engine;
use ecslint::load::{cfn, yaml};
use ecslint::render::{self, Report};
use ecslint::source::SourceFile;

/// Ten resources per group: an ECS service on EC2 capacity, with everything it references.
/// ECS Exec is on in every other group (`exec_every` 2), or every group (1).
fn template(groups: usize, exec_every: usize) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: generated (生成)\nParameters:\n  Ami:\n    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>\n    Default: /aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id\nResources:\n",
    );
    for g in 0..groups {
        let _ = write!(
            t,
            r##"  Cluster{g}:
    Type: AWS::ECS::Cluster
  Template{g}:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref Ami
        InstanceType: m7g.large
        IamInstanceProfile: {{Arn: !GetAtt Profile{g}.Arn}}
        UserData: !Base64
          Fn::Sub: "#!/bin/bash\necho ECS_CLUSTER=${{Cluster{g}}} >> /etc/ecs/ecs.config\n"
  Group{g}:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '3'
      LaunchTemplate: {{LaunchTemplateId: !Ref Template{g}, Version: '1'}}
  Provider{g}:
    Type: AWS::ECS::CapacityProvider
    Properties:
      AutoScalingGroupProvider: {{AutoScalingGroupArn: !Ref Group{g}}}
  Association{g}:
    Type: AWS::ECS::ClusterCapacityProviderAssociations
    Properties:
      Cluster: !Ref Cluster{g}
      CapacityProviders: [!Ref Provider{g}]
      DefaultCapacityProviderStrategy: [{{CapacityProvider: !Ref Provider{g}, Weight: 1}}]
  InstanceRole{g}:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]
  Profile{g}:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref InstanceRole{g}]
  ExecRole{g}:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
  Task{g}:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ExecutionRoleArn: !GetAtt ExecRole{g}.Arn
      RuntimePlatform: {{CpuArchitecture: ARM64}}
      ContainerDefinitions:
        - Name: app
          Image: !Sub ${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/app:1
          LogConfiguration:
            LogDriver: awslogs
            Options: {{awslogs-group: app, awslogs-region: !Ref AWS::Region, awslogs-stream-prefix: app}}
  Service{g}:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster{g}
      TaskDefinition: !Ref Task{g}
      EnableExecuteCommand: {exec}
"##,
            exec = g % exec_every == 0
        );
    }
    t
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Time of each rule alone on the graph, slowest first.
fn per_rule(graph: &ecslint::graph::Graph) -> Vec<(String, Duration)> {
    let codes: Vec<String> = Program::load(&[])
        .expect("rules load")
        .rules
        .iter()
        .map(|r| r.code.to_string())
        .collect();
    let mut out: Vec<(String, Duration)> = codes
        .into_iter()
        .map(|code| {
            let mut program = Program::load(&[]).expect("rules load");
            program.rules.retain(|r| r.code == code.as_str());
            let t = Instant::now();
            engine::run(&program, graph);
            (code, t.elapsed())
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.1));
    out
}

/// Growth allowed from one size to the next (10× the resources): more means super-linear.
const MAX_GROWTH: f64 = 12.0;

/// A loud line for each phase that grew more than `MAX_GROWTH` times from one size to the
/// next: (phase, time at the smaller size, time at the larger).
fn growth(resources: (usize, usize), phases: &[(&str, Duration, Duration)]) {
    for (phase, small, large) in phases {
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        let verdict = if ratio > MAX_GROWTH {
            "  <-- SUPER-LINEAR"
        } else {
            ""
        };
        println!(
            "ratio {phase} {} -> {} resources: {ratio:.1}x (linear is 10x, limit {MAX_GROWTH}x){verdict}",
            resources.0, resources.1
        );
    }
}

fn main() {
    let program = Program::load(&[]).expect("built-in rules load");
    let mut previous: Option<(usize, [Duration; 4])> = None;
    for groups in [100, 1000, 10_000] {
        let text = template(groups, 2);
        let bytes = text.len();
        let t0 = Instant::now();
        let source = SourceFile::new("generated.yaml", text);
        let parsed = yaml::parse(&source).expect("generated template parses");
        let t1 = Instant::now();
        let graph = cfn::build(source.clone(), &parsed.root).expect("generated template builds");
        let t2 = Instant::now();
        let findings = engine::run(&program, &graph);
        let t3 = Instant::now();
        println!(
            "{} resources ({} KiB), {} edges: parse {}, graph {}, rules {} ({} rules, {} findings), total {}",
            graph.resources.len(),
            bytes / 1024,
            graph.edges.len(),
            ms(t1 - t0),
            ms(t2 - t1),
            ms(t3 - t2),
            program.rules.len(),
            findings.len(),
            ms(t3 - t0),
        );
        let times = [t1 - t0, t2 - t1, t3 - t2, t3 - t0];
        if let Some((n, before)) = previous {
            let names = ["parse", "graph", "rules", "total"];
            let phases: Vec<(&str, Duration, Duration)> =
                (0..4).map(|i| (names[i], before[i], times[i])).collect();
            growth((n, graph.resources.len()), &phases);
        }
        previous = Some((graph.resources.len(), times));
    }
    // The slowest rules, each alone, after every size above: running 27 programs first
    // would leave the allocator's heap fragmented for the sizes measured after them (it
    // made 10,000 resources 1.3x slower in process than through the command line). Each rule
    // alone again would take minutes at 100,000 resources.
    for groups in [100, 1000] {
        let source = SourceFile::new("generated.yaml", template(groups, 2));
        let parsed = yaml::parse(&source).expect("generated template parses");
        let graph = cfn::build(source.clone(), &parsed.root).expect("generated template builds");
        println!(
            "slowest rules alone at {} resources:",
            graph.resources.len()
        );
        for (rule, d) in per_rule(&graph).iter().take(3) {
            println!("  {rule}: {}", ms(*d));
        }
    }
    render_figures(&program);
}

/// Human output must stay linear: every finding of a large file shares its line index. Each
/// format renders three times; the fastest run counts.
fn render_figures(program: &Program) {
    let text = template(1500, 1);
    let source = SourceFile::new("generated.yaml", text);
    let parsed = yaml::parse(&source).expect("generated template parses");
    let graph = cfn::build(source.clone(), &parsed.root).expect("generated template builds");
    let mut report = Report {
        findings: engine::run(program, &graph),
        files_checked: 1,
        ..Report::default()
    };
    report.sort();
    let time = |render: &dyn Fn() -> String| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let bytes = render().len();
                (t.elapsed(), bytes)
            })
            .min()
            .unwrap_or_default()
    };
    let (json, json_bytes) = time(&|| render::json::render(&report));
    let (human, human_bytes) =
        time(&|| render::human::render(&report, &render::human::Options::plain(100)));
    let (concise, _) = time(&|| render::concise::render(&report));
    println!(
        "render {} findings of one {} KiB file: json {} ({} KiB), human {} ({} KiB), concise {}; human/json {:.2}x",
        report.findings.len(),
        source.text.len() / 1024,
        ms(json),
        json_bytes / 1024,
        ms(human),
        human_bytes / 1024,
        ms(concise),
        human.as_secs_f64() / json.as_secs_f64()
    );
}
