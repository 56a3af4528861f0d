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
//   repo     --out DIR [--count N] [--root-secret FILE] a published repository (trust material, index.yaml) of N charts
//                                                      signed round-robin by an Ed25519 and an RSA-3072 maintainer;
//                                                      --root-secret also writes the root's secret key (armored) there
// Output lines starting with "RESULT " are machine-readable (KEY=VALUE), for bench/run.sh.
if (args is ["repo", ..])
{
    return await Bench.GenerateRepositoryAsync(Options.Parse(args[1..]));
}
if (args is ["audit", ..])
{
    return await Bench.AuditAsync(Options.Parse(args[1..]));
}
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
        Console.Error.WriteLine("       Chartseal.Bench repo --out DIR [--count 10000] [--root-secret FILE]");
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
            string chartDir = WriteChartSource(Path.Combine(work, label), $"bench-{label}", $"Benchmark chart signed by {label}");
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

    /// <summary>A small chart source folder (Chart.yaml, values.yaml, one template); returns the folder.</summary>
    private static string WriteChartSource(string chartDir, string name, string description)
    {
        Directory.CreateDirectory(Path.Combine(chartDir, "templates"));
        File.WriteAllText(Path.Combine(chartDir, "Chart.yaml"),
            $"apiVersion: v2\nname: {name}\ndescription: {description}\nversion: 0.1.0\nappVersion: \"1.0\"\n");
        File.WriteAllText(Path.Combine(chartDir, "values.yaml"), "replicaCount: 1\nimage:\n  repository: nginx\n  tag: stable\n");
        File.WriteAllText(Path.Combine(chartDir, "templates", "deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n");
        return chartDir;
    }

    /// <summary>
    /// A repository as <c>publish</c> leaves it: root-signed trust material naming two maintainers (Ed25519 and
    /// RSA-3072), <paramref name="o"/>'s count of charts (100 names, signed alternately), their .prov files and
    /// index.yaml. Also writes <c>root.fpr</c> (the fingerprint to pin) and <c>signers.gpg</c> (for gpg), and with
    /// <c>--root-secret FILE</c> the root's secret key, armored, to FILE (outside the repository folder: for benchmarks that
    /// change the trust material, e.g. <c>trust index-key add</c>).
    /// </summary>
    public static async Task<int> GenerateRepositoryAsync(Options o)
    {
        string outDir = Path.GetFullPath(o.Require("out"));
        int count = o.Int("count", 10000);
        string work = Path.Combine(Path.GetDirectoryName(outDir)!, Path.GetFileName(outDir) + ".work");
        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(work);
        DateTime now = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();

        SigningKey Key(string label, KeyAlgorithm alg, out Keyring ring, out string secretArmored)
        {
            var generated = KeyGenerator.Generate($"Bench {label} <{label}@bench.invalid>", alg, TimeSpan.FromDays(365), null, now.AddMinutes(-10));
            secretArmored = generated.SecretKeyArmored;
            ring = Keyring.Parse(System.Text.Encoding.ASCII.GetBytes(generated.SecretKeyArmored), label);
            return SigningKeySelector.Select(ring, generated.Fingerprint, now);
        }
        SigningKey rootKey = Key("root", KeyAlgorithm.Ed25519, out _, out string rootSecret);
        if (o.Get("root-secret") is { } rootSecretPath)
        {
            File.WriteAllText(Path.GetFullPath(rootSecretPath), rootSecret);
        }
        var root = new Chartseal.Repository.RootSigner(rootKey, rootKey.Unlock(null));
        var maintainers = new[] { ("ed25519", KeyAlgorithm.Ed25519), ("rsa3072", KeyAlgorithm.Rsa3072) }
            .Select(m => (Label: m.Item1, Key: Key(m.Item1, m.Item2, out Keyring ring, out _), Ring: ring))
            .Select(m => (m.Label, m.Key, Private: m.Key.Unlock(null), m.Ring))
            .ToArray();
        var publicKeys = Keyring.Merge("maintainers", maintainers.Select(m => Keyring.Parse(Keyring.Concat(m.Ring.PublicKeyRings), m.Label)));
        await Chartseal.Repository.TrustRepository.InitAsync(outDir, root, TimeSpan.FromDays(365), now);
        await Chartseal.Repository.TrustRepository.AddAsync(outDir, root, publicKeys, TimeSpan.FromDays(365), now);
        File.WriteAllText(Path.Combine(outDir, "root.fpr"), root.Fingerprint + "\n");
        File.WriteAllBytes(Path.Combine(work, "signers.gpg"), publicKeys.ExportPublic());

        const int names = 100;
        for (int n = 0; n < names; n++)
        {
            WriteChartSource(Path.Combine(work, $"app-{n:D2}"), $"app-{n:D2}", $"Benchmark chart {n}");
        }
        var entries = new Chartseal.Charts.IndexEntry[count];
        string created = Chartseal.Charts.ChartIndex.Timestamp(now);
        Parallel.For(0, count, i =>
        {
            var m = maintainers[i % maintainers.Length];
            var packaged = ChartPackager.Package(Path.Combine(work, $"app-{i % names:D2}"), new PackageOptions { Version = $"1.{i / names}.0" });
            string archivePath = Path.Combine(outDir, packaged.FileName);
            File.WriteAllBytes(archivePath, packaged.Archive);
            File.WriteAllBytes(archivePath + ".prov", ChartSigning.Sign(packaged.Archive, archivePath, m.Key, m.Private, now));
            entries[i] = Chartseal.Repository.RepositoryIndexer.EntryFor(packaged.Archive, packaged.FileName, null, created);
        });
        var index = new Chartseal.Charts.ChartIndex { Generated = created };
        foreach (var entry in entries)
        {
            index.Add(entry);
        }
        index.SortVersions();
        await index.WriteAsync(Path.Combine(outDir, "index.yaml"));
        File.Move(Path.Combine(work, "signers.gpg"), Path.Combine(outDir, "signers.gpg"), overwrite: true);
        Directory.Delete(work, recursive: true);
        long bytes = Directory.GetFiles(outDir, "*.tgz").Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated a repository of {count} signed chart versions in {outDir} in {sw.Elapsed.TotalSeconds:F1} s (average archive {bytes / count} bytes)"));
        return 0;
    }

    /// <summary>In-process <see cref="Chartseal.Repository.RepositoryAudit"/> of a generated repository: best of R rounds, and one thread.</summary>
    public static async Task<int> AuditAsync(Options o)
    {
        string dir = Path.GetFullPath(o.Require("dir"));
        int rounds = o.Int("rounds", 3);
        var pin = new Chartseal.Trust.PinnedRoot(File.ReadAllText(Path.Combine(dir, "root.fpr")).Trim());
        string state = Directory.CreateTempSubdirectory("chartseal-bench-state").FullName;
        var store = new Chartseal.Client.TrustStateStore(state);
        DateTime now = DateTime.UtcNow;
        async Task<(double Seconds, int Rows)> Once(int? parallelism)
        {
            var sw = Stopwatch.StartNew();
            var result = await Chartseal.Repository.RepositoryAudit.AuditAsync(new Chartseal.Client.FolderRepositorySource(dir), pin, store, now, new Chartseal.Repository.AuditOptions(MaxParallelism: parallelism));
            var completed = (Chartseal.Repository.AuditResult.Completed)result;
            if (!completed.AllTrusted)
            {
                throw new InvalidOperationException("audit found untrusted charts");
            }
            return (sw.Elapsed.TotalSeconds, completed.Rows.Count);
        }
        var cold = await Once(null);
        double best = double.MaxValue, bestSingle = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            best = Math.Min(best, (await Once(null)).Seconds);
        }
        for (int r = 0; r < rounds; r++)
        {
            bestSingle = Math.Min(bestSingle, (await Once(1)).Seconds);
        }
        Directory.Delete(state, recursive: true);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"in-process audit of {cold.Rows} chart versions: cold {cold.Rows / cold.Seconds:F0} charts/s, all cores {cold.Rows / best:F0} charts/s, one thread {cold.Rows / bestSingle:F0} charts/s (best of {rounds})"));
        Console.WriteLine(string.Create(inv, $"RESULT charts={cold.Rows} parallel={cold.Rows / best:F1} single={cold.Rows / bestSingle:F1}"));
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
        // More passes (about two seconds' worth) so that tiered compilation has reached its optimised code.
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 2 && warmFailures == 0;)
        {
            warmFailures = Run(parallel: false) + Run(parallel: true);
        }
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
        // Per key type, one thread: which signatures cost what. The groups take turns, round after round (best of
        // 3 + rounds each), so that a busy moment of the shared machine does not fall on one key type only.
        var groups = inputs.GroupBy(i => KindOf(i.Name)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (Kind: g.Key, Inputs: g.ToArray())).ToList();
        var bestMs = groups.Select(_ => double.MaxValue).ToArray();
        for (int r = 0; r < 3 + rounds; r++)
        {
            for (int k = 0; k < groups.Count; k++)
            {
                sw.Restart();
                foreach (var input in groups[k].Inputs)
                {
                    _ = ChartVerifier.Verify(input.Archive, input.Name, input.Prov, keyring, now);
                }
                bestMs[k] = Math.Min(bestMs[k], sw.Elapsed.TotalMilliseconds / groups[k].Inputs.Length);
            }
        }
        var perType = groups.Select((g, k) => (Kind: g.Kind, Count: g.Inputs.Length, Ms: bestMs[k])).ToList();
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
