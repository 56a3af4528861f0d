using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Org.BouncyCastle.Bcpg.OpenPgp;

// Chartseal verification benchmark.
//   generate --out DIR [--count N] [--gpg-secret FILE]   writes N signed charts + DIR/pubring.gpg
//   verify   --dir DIR [--keyring FILE] [--rounds R]     in-process throughput (all cores and one thread)
//   index-generate --out FILE [--entries N]              writes a realistic index.yaml of N chart versions
//   index-parse --file FILE [--rounds R]                 streams it into a ChartIndex (the client's cache read) and searches it
// Output lines starting with "RESULT " are machine-readable (KEY=VALUE), for bench/run.sh.
return args.Length > 0 ? args[0] switch
{
    "generate" => Bench.Generate(Options.Parse(args[1..])),
    "verify" => Bench.Verify(Options.Parse(args[1..])),
    "index-generate" => IndexBench.Generate(Options.Parse(args[1..])),
    "index-parse" => await IndexBench.ParseAsync(Options.Parse(args[1..])),
    _ => Bench.Usage(),
} : Bench.Usage();

internal sealed record Options(Dictionary<string, string> Values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        return new Options(values);
    }

    public string? Get(string name) => Values.TryGetValue(name, out string? v) ? v : null;

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

internal static class Bench
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: Chartseal.Bench generate --out DIR [--count 1000] [--gpg-secret FILE]");
        Console.Error.WriteLine("       Chartseal.Bench verify --dir DIR [--keyring DIR/pubring.gpg] [--rounds 3]");
        Console.Error.WriteLine("       Chartseal.Bench index-generate --out FILE [--entries 15000]");
        Console.Error.WriteLine("       Chartseal.Bench index-parse --file FILE [--rounds 3]");
        return 2;
    }

    private sealed record Signer(string Label, string ChartDir, SigningKey Key, PgpPrivateKey Private);

    public static int Generate(Options o)
    {
        string outDir = Path.GetFullPath(o.Require("out"));
        int count = o.Int("count", 1000);
        Directory.CreateDirectory(outDir);
        string work = Path.Combine(outDir, ".work");
        Directory.CreateDirectory(work);
        DateTime now = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();

        // Keys: a gpg-exported RSA-3072 secret key (when given), a KeyGenerator RSA-3072 key, a KeyGenerator Ed25519 key.
        var keyrings = new List<(string Label, Keyring Ring)>();
        if (o.Get("gpg-secret") is { } gpgSecret)
        {
            keyrings.Add(("rsa3072-gpg", Keyring.Load(gpgSecret)));
        }
        foreach (var (label, alg) in new[] { ("rsa3072-gen", KeyAlgorithm.Rsa3072), ("ed25519-gen", KeyAlgorithm.Ed25519) })
        {
            var generated = KeyGenerator.Generate($"Bench {label} <{label}@bench.invalid>", alg, TimeSpan.FromDays(30), null, now.AddMinutes(-10));
            string path = Path.Combine(work, label + ".sec.asc");
            File.WriteAllText(path, generated.SecretKeyArmored);
            keyrings.Add((label, Keyring.Load(path)));
        }

        var signers = new List<Signer>();
        foreach (var (label, ring) in keyrings)
        {
            var key = SigningKeySelector.Select(ring, KeyInfo.Fingerprint(ring.SecretKeyRings[0].GetPublicKey()), now);
            string chartDir = Path.Combine(work, label);
            Directory.CreateDirectory(Path.Combine(chartDir, "templates"));
            File.WriteAllText(Path.Combine(chartDir, "Chart.yaml"),
                $"apiVersion: v2\nname: bench-{label}\ndescription: Benchmark chart signed by {label}\nversion: 0.1.0\nappVersion: \"1.0\"\n");
            File.WriteAllText(Path.Combine(chartDir, "values.yaml"), "replicaCount: 1\nimage:\n  repository: nginx\n  tag: stable\n");
            File.WriteAllText(Path.Combine(chartDir, "templates", "deployment.yaml"),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n");
            signers.Add(new Signer(label, chartDir, key, key.Unlock(null)));
        }

        // One public keyring for every signer, binary (what gpg --export and helm verify use).
        var publicRings = keyrings.SelectMany(k => k.Ring.PublicKeyRings).ToList();
        File.WriteAllBytes(Path.Combine(outDir, "pubring.gpg"), Keyring.Concat(publicRings));

        var counts = new ConcurrentDictionary<string, int>();
        Parallel.For(0, count, i =>
        {
            Signer s = signers[i % signers.Count];
            var packaged = ChartPackager.Package(s.ChartDir, new PackageOptions { Version = $"1.{i / 1000}.{i % 1000}" });
            string archivePath = Path.Combine(outDir, packaged.FileName);
            File.WriteAllBytes(archivePath, packaged.Archive);
            File.WriteAllBytes(archivePath + ".prov", ChartSigning.Sign(packaged.Archive, archivePath, s.Key, s.Private, now));
            counts.AddOrUpdate(s.Label, 1, (_, n) => n + 1);
        });
        Directory.Delete(work, recursive: true);
        Console.WriteLine($"generated {count} signed charts in {outDir} in {sw.Elapsed.TotalSeconds:F1} s: "
            + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}")));
        return 0;
    }

    /// <summary><c>bench-rsa3072-gpg-1.0.7.tgz</c> → <c>rsa3072-gpg</c>.</summary>
    private static string KindOf(string fileName)
    {
        string stem = fileName.StartsWith("bench-", StringComparison.Ordinal) ? fileName["bench-".Length..] : fileName;
        int dash = stem.LastIndexOf('-');
        return dash > 0 ? stem[..dash] : stem;
    }

    public static int Verify(Options o)
    {
        string dir = Path.GetFullPath(o.Require("dir"));
        string keyringPath = o.Get("keyring") ?? Path.Combine(dir, "pubring.gpg");
        int rounds = o.Int("rounds", 3);
        var files = Directory.GetFiles(dir, "*.tgz").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"no charts in {dir}");
            return 2;
        }

        var sw = Stopwatch.StartNew();
        Keyring keyring = Keyring.Load(keyringPath);
        double loadMs = sw.Elapsed.TotalMilliseconds;

        // Inputs are read into memory up front: this measures verification, not the page cache.
        var inputs = files.Select(f => (Name: Path.GetFileName(f), Archive: File.ReadAllBytes(f), Prov: File.ReadAllBytes(f + ".prov"))).ToArray();
        DateTime now = DateTime.UtcNow;

        int Run(bool parallel)
        {
            int failures = 0;
            if (parallel)
            {
                Parallel.ForEach(inputs, input =>
                {
                    if (!ChartVerifier.Verify(input.Archive, input.Name, input.Prov, keyring, now).IsVerified)
                    {
                        Interlocked.Increment(ref failures);
                    }
                });
            }
            else
            {
                foreach (var input in inputs)
                {
                    if (!ChartVerifier.Verify(input.Archive, input.Name, input.Prov, keyring, now).IsVerified)
                    {
                        failures++;
                    }
                }
            }
            return failures;
        }

        // Warm-up: JIT, and the once-per-key validation that KeyValidity caches.
        sw.Restart();
        int warmFailures = Run(parallel: false);
        double firstPassMs = sw.Elapsed.TotalMilliseconds;
        if (warmFailures > 0)
        {
            Console.Error.WriteLine($"{warmFailures} of {inputs.Length} charts did NOT verify");
            return 1;
        }

        double Best(bool parallel)
        {
            double best = double.MaxValue;
            for (int r = 0; r < rounds; r++)
            {
                sw.Restart();
                int failures = Run(parallel);
                double s = sw.Elapsed.TotalSeconds;
                if (failures > 0)
                {
                    throw new InvalidOperationException($"{failures} charts did not verify");
                }
                best = Math.Min(best, s);
            }
            return best;
        }

        double single = Best(parallel: false);
        double all = Best(parallel: true);
        // Per key type, one thread: which signatures cost what.
        var perType = inputs.GroupBy(i => KindOf(i.Name)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var group = g.ToArray();
            double best = double.MaxValue;
            for (int r = 0; r < rounds; r++)
            {
                sw.Restart();
                foreach (var input in group)
                {
                    _ = ChartVerifier.Verify(input.Archive, input.Name, input.Prov, keyring, now);
                }
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds / group.Length);
            }
            return (Kind: g.Key, Count: group.Length, Ms: best);
        }).ToList();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"charts: {inputs.Length}, cores: {Environment.ProcessorCount}, keyring load: {loadMs:F1} ms, first (cold) pass: {firstPassMs:F0} ms"));
        Console.WriteLine(string.Create(inv, $"single thread: {inputs.Length / single:F0} charts/s ({single * 1000 / inputs.Length:F3} ms/chart, best of {rounds})"));
        Console.WriteLine(string.Create(inv, $"all cores:     {inputs.Length / all:F0} charts/s ({all * 1000 / inputs.Length:F3} ms/chart, best of {rounds})"));
        foreach (var (kind, n, ms) in perType)
        {
            Console.WriteLine(string.Create(inv, $"  {kind,-12} {n,5} charts: {ms:F3} ms/chart one thread ({1000 / ms:F0} charts/s)"));
        }
        Console.WriteLine(string.Create(inv, $"RESULT charts={inputs.Length} single={inputs.Length / single:F1} parallel={inputs.Length / all:F1} cold_ms={firstPassMs:F0} load_ms={loadMs:F1}"));
        return 0;
    }
}
