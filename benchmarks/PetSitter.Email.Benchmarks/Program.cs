using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Running;
using PetSitter.Email.Benchmarks;

// Two small harnesses that are not BenchmarkDotNet benchmarks, then the benchmarks themselves:
//   --idle [seconds]     processor time of 100,000 idle accounts (default 10 s)
//   --account-memory     bytes per tracked account
//   --profile-send       time and bytes of each step of the send path (no I/O)
//   --profile-smtp       one connection over loopback: MailKit, the transport, the sender, the copy
//   --alloc-e2e          bytes per message end to end: raw MailKit and the sender, 1 and 4 connections (exact);
//                        with --by-type, the allocation ticks by type under each row (sampled)
//   --redis-concurrency  issue 16's Redis check with 1, 16 and 64 concurrent callers (--checks per caller, --out)
//   --fleet [options]    issue 16's fleet against the wire's limit (--businesses, --messages, --servers, --delay-ms, --rounds, --transport, --library-only, --max-warmup, --out)
//   anything else        BenchmarkDotNet's switcher, e.g. --filter '*' [--job short | --job Dry]
if (args.Length > 0 && args[0] == "--idle")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
    return await IdleCostHarness.RunAsync(TimeSpan.FromSeconds(seconds), Console.Out);
}

if (args.Length > 0 && args[0] == "--profile-send")
{
    return SendPathProfile.Run(Console.Out);
}

if (args.Length > 0 && args[0] == "--profile-smtp")
{
    return await SmtpPathProfile.RunAsync(Console.Out);
}

if (args.Length > 0 && args[0] == "--fleet")
{
    return await FleetRunner.RunAsync(args, Console.Out);
}

if (args.Length > 0 && args[0] == "--redis-concurrency")
{
    return await RedisConcurrencyRunner.RunAsync(args, Console.Out);
}

if (args.Length > 0 && args[0] == "--alloc-e2e")
{
    return await EndToEndAllocations.RunAsync(args, Console.Out);
}

if (args.Length > 0 && args[0] == "--account-memory")
{
    return AccountMemoryHarness.Run(Console.Out);
}

// BenchmarkDotNet's default of 2 minutes for building its generated project is too short on this 2-core
// machine while other builds run (a run failed on it here); 15 minutes only bounds a hung build.
var config = DefaultConfig.Instance.AddExporter(MarkdownExporter.GitHub).WithBuildTimeout(TimeSpan.FromMinutes(15));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();

// A run that measured nothing, or any benchmark that failed, fails the command (CI's dry run relies on it).
var failed = summaries.Count == 0
    || summaries.Any(static s => s.HasCriticalValidationErrors || s.Reports.Length == 0 || s.Reports.Any(static r => !r.Success));
if (failed)
{
    Console.Error.WriteLine("benchmarks: at least one benchmark failed or none ran");
}

return failed ? 1 : 0;
