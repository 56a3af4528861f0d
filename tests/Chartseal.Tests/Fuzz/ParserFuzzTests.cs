using System.Text;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Tests.Fuzz;

/// <summary>
/// Seeded mutation fuzzing of every parser that reads untrusted bytes, with the corpus in
/// <c>tests/TestData/fuzz-corpus</c>: the chart archive (gzip + tar), Chart.yaml / Chart.lock / requirements /
/// values.yaml, index.yaml, OpenPGP keyrings (binary, armored, keybox), the <c>.prov</c> path (clear-sign framing,
/// signature, body, signed metadata), the trust material (manifest framing and body, root.pgp, rotations.asc), the index
/// snapshot (framing, signature, body) and a
/// registry's OCI manifest and authentication challenge.
/// Each may only return, throw its documented exception or return a refusal, within a bounded allocation per input
/// (see <see cref="FuzzRunner"/>). A fixed number of inputs per target: a few seconds in all.
/// </summary>
/// <remarks>
/// Why not SharpFuzz with libFuzzer: it needs the assembly rewritten with coverage instrumentation and a native
/// libFuzzer driver outside <c>dotnet test</c>, which CI does not have. Structure-aware mutation (tar headers and PAX
/// records, OpenPGP packets and length encodings, YAML and clear-sign tokens) reaches the deep paths that coverage
/// guidance would have to discover, and runs in every test run.
/// </remarks>
public sealed class ParserFuzzTests
{
    /// <summary>The clock of the Helm-key targets (Helm's test keys are from 2016-2024).</summary>
    private static readonly DateTime Now = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The clock of the targets signed with the corpus's own keys (made 2026-11-30, trust material valid to 2036).</summary>
    private static readonly DateTime TrustNow = new(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task ChartArchiveRead_MutatedArchives_OnlyUnsafeArchiveException()
    {
        var corpus = FuzzRunner.Corpus("archive");
        var random = FuzzRunner.RandomFor("archive");
        var bytes = new Mutator(random, corpus, Mutator.TarTokens);
        var tar = new TarMutations(bytes, new Mutator(random, FuzzRunner.Corpus("chart-yaml"), Mutator.YamlTokens));
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("archive", 3000,
            () => random.Next(8) == 0 ? bytes.Next() : tar.Mutate(corpus[random.Next(corpus.Count)]),
            input =>
            {
                var contents = ChartArchive.Read(input, "fuzz.tgz");
                // What the rebuild gate and `pull --untar` then do with an accepted archive.
                _ = ChartArchive.FindFirstDifference(contents, contents);
                return $"read ({contents.Files.Count} files)";
            },
            e => e is UnsafeArchiveException, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task ChartMetadataYaml_MutatedChartYamlLockRequirementsValues_OnlyChartsealException()
    {
        // Each input goes to the four readers of a chart's YAML files; each reader may only refuse with a ChartsealException.
        var corpus = FuzzRunner.Corpus("chart-yaml");
        var random = FuzzRunner.RandomFor("chart-yaml");
        var yaml = new Mutator(random, corpus, Mutator.YamlTokens);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("chart-yaml", 2500, yaml.Next,
            input => string.Join('\n',
                FuzzRunner.Try("Chart.yaml", () =>
                {
                    var metadata = ChartYaml.Parse(input, "Chart.yaml");
                    ChartYaml.Validate(metadata, "Chart.yaml");
                    _ = ChartYaml.Serialize(metadata);
                    return "valid";
                }),
                FuzzRunner.Try("Chart.lock", () =>
                {
                    var lockFile = ChartYaml.ParseLock(input, "Chart.lock");
                    _ = ChartYaml.SerializeLock(lockFile);
                    return "parsed";
                }),
                FuzzRunner.Try("requirements.yaml", () =>
                {
                    ChartLoader.MergeRequirements(new ChartMetadata(), input, "requirements.yaml");
                    return "merged";
                }),
                FuzzRunner.Try("values.yaml", () =>
                {
                    BoundedYamlReader.CheckSyntax(input, "values.yaml");
                    return "valid";
                })),
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task ChartIndexLoad_MutatedIndexes_OnlyChartsealException()
    {
        var corpus = FuzzRunner.Corpus("index");
        var random = FuzzRunner.RandomFor("index");
        var yaml = new Mutator(random, corpus, Mutator.YamlTokens);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("index", 3000, yaml.Next,
            input =>
            {
                var index = ChartIndex.Load(new MemoryStream(input), "index.yaml");
                // What `repo index`, `repo update` (the index summary) and search then do with it.
                index.SortVersions();
                _ = index.Serialize();
                _ = index.SerializeJson();
                return "loaded";
            },
            e => e is ChartsealException, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task KeyringParse_MutatedKeyrings_OnlyChartsealException()
    {
        var corpus = FuzzRunner.Corpus("keyring");
        var random = FuzzRunner.RandomFor("keyring");
        var bytes = new Mutator(random, corpus, Mutator.OpenPgpTokens);
        var packets = new OpenPgpMutations(bytes);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("keyring", 1500,
            () => random.Next(3) == 0 ? bytes.Next() : packets.Mutate(corpus[random.Next(corpus.Count)]),
            input =>
            {
                var keyring = Keyring.Parse(input, "fuzz.pgp");
                // What every command then asks of the keys: user ids, expiry, validity (the self-signatures checked).
                foreach (var ring in keyring.PublicKeyRings)
                {
                    _ = KeyInfo.UserIds(ring);
                    _ = KeyInfo.PrimaryUserId(ring);
                    foreach (var key in ring.GetPublicKeys())
                    {
                        _ = KeyInfo.AlgorithmName(key);
                        _ = KeyInfo.ExpiresAt(key, ring);
                        _ = KeyValidity.Check(key, ring, Now);
                    }
                }
                return $"parsed ({keyring.PublicKeyRings.Count} keys, {keyring.Skipped.Count} skipped)";
            },
            e => e is ChartsealException, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task ProvenanceFramingAndSignature_MutatedProvFiles_NeverThrow()
    {
        var corpus = FuzzRunner.Corpus("prov");
        var random = FuzzRunner.RandomFor("prov");
        var text = new Mutator(random, corpus, Mutator.ClearSignTokens);
        byte[] archive = File.ReadAllBytes(Path.Combine(FuzzRunner.CorpusRoot, "archive", "hashtest-1.2.3.tgz"));
        var keyring = Keyring.Load(Path.Combine(FuzzRunner.CorpusRoot, "keyring", "helm-mixed-keyring.pub"));
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("prov", 3000, text.Next,
            input =>
            {
                _ = ClearSignedMessage.TryParse(input, out _);
                return ChartVerifier.Verify(archive, "hashtest-1.2.3.tgz", input, keyring, Now) switch
                {
                    ChartVerification.Rejected r => r.Reason.ToString(),
                    _ => "verified",
                };
            },
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task SignedProvenanceBody_MutatedBodies_NeverThrow()
    {
        // Mutated bodies, signed (with the corpus's Ed25519 key: fast, and deterministic), so that the checks after the
        // signature (the files map, the archive, the signed metadata) see them, as they would see a body signed by a
        // stolen or careless key.
        var corpus = FuzzRunner.Corpus("body");
        var random = FuzzRunner.RandomFor("body");
        var yaml = new Mutator(random, corpus, Mutator.YamlTokens);
        byte[] archive = File.ReadAllBytes(Path.Combine(FuzzRunner.CorpusRoot, "archive", "hashtest-1.2.3.tgz"));
        var signer = CorpusSigner.Load(TrustNow);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("body", 1000, yaml.Next,
            input =>
            {
                string body = Encoding.UTF8.GetString(input);
                string parsed = ProvenanceBody.TryParse(body, out _) is null ? "body refused" : "body parsed";
                byte[] prov = signer.Sign(body);
                return parsed + ", " + ChartVerifier.Verify(archive, "hashtest-1.2.3.tgz", prov, signer.Keyring, TrustNow) switch
                {
                    ChartVerification.Rejected r => r.Reason.ToString(),
                    _ => "verified",
                };
            },
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task OciManifestAndChallenge_MutatedRegistryAnswers_OnlyChartsealException()
    {
        // What a registry sends before any signature is checked: the manifest (then read as Helm reads a chart's
        // layers, and written back) and the WWW-Authenticate challenge.
        var corpus = FuzzRunner.Corpus("oci");
        var random = FuzzRunner.RandomFor("oci");
        var json = new Mutator(random, corpus, Mutator.JsonTokens);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("oci", 2000, json.Next,
            input => string.Join('\n',
                FuzzRunner.Try("manifest", () =>
                {
                    var manifest = Chartseal.Oci.OciManifest.Parse(input, "fuzz");
                    _ = manifest.ToJson();
                    var layers = Chartseal.Oci.HelmChartArtifact.ReadLayers(manifest, "fuzz");
                    return layers.Provenance is null ? "chart" : "chart and provenance";
                }),
                "challenge " + (Chartseal.Oci.AuthChallenge.Select([Encoding.UTF8.GetString(input)]) is { } c ? c.Scheme.ToUpperInvariant() switch
                {
                    "BEARER" or "BASIC" => c.Scheme.ToLowerInvariant(),
                    _ => "other",
                } : "none")),
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task TrustedMaterialLoad_MutatedTrustFiles_OnlyRefusals()
    {
        // Two repositories' trust files (one after a root rotation, so rotations.asc is walked), one file of a set
        // mutated (or left out) per input: TrustedMaterial.Load may only accept or refuse, never throw.
        var sets = CorpusTrustSet.LoadAll();
        var random = FuzzRunner.RandomFor("trust");
        var clearSigned = new Mutator(random, [.. sets.SelectMany(s => new[] { s.Files.Manifest!, s.Files.Rotations }).OfType<byte[]>()], Mutator.ClearSignTokens);
        var keyrings = new OpenPgpMutations(new Mutator(random, [.. sets.SelectMany(s => new[] { s.Files.RootKeys!, s.Files.PublicKeys! })], Mutator.OpenPgpTokens));
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("trust", 1500,
            () =>
            {
                // The input: [set, file to change, seen] and the new bytes of that file (so a report replays as it is).
                int set = random.Next(sets.Count);
                int file = random.Next(CorpusTrustSet.FileCount);
                byte[] original = sets[set].FileAt(file) ?? sets.Select(s => s.FileAt(file)).OfType<byte[]>().First();
                byte[] mutated = file is 1 or 2 or 3 ? keyrings.Mutate(original) : clearSigned.Mutate(original);
                return [(byte)set, (byte)file, (byte)random.Next(3), .. mutated];
            },
            input =>
            {
                var set = sets[input[0] % sets.Count];
                var files = set.With(input[1] % CorpusTrustSet.FileCount, input[3..]);
                SeenTrust? seen = (input[2] % 3) switch
                {
                    0 => null,
                    1 => new SeenTrust(3, new string('0', 64)),
                    _ => new SeenTrust(long.MaxValue, new string('0', 64)),
                };
                return TrustedMaterial.Load(files, set.Pin, seen, TrustNow) switch
                {
                    TrustResult.Accepted a => $"accepted (version {a.Material.Version})",
                    TrustResult.Rejected r => r.Reason.ToString(),
                    _ => "unknown",
                };
            },
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task SignedTrustManifest_MutatedBodies_OnlyRefusals()
    {
        // Mutated manifest bodies, parsed, then signed by the root of the "simple" set, so that the checks after the root
        // signature (the body, its root, the file hashes, rollback, expiry) see them, as they would see a manifest
        // signed by a stolen root key or a root holder's mistake.
        var corpus = FuzzRunner.Corpus("manifest");
        var random = FuzzRunner.RandomFor("manifest");
        var yaml = new Mutator(random, corpus, Mutator.YamlTokens);
        var set = CorpusTrustSet.LoadAll().Single(s => s.Name == "simple");
        var signer = CorpusSigner.Load(TrustNow);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("manifest", 1000, yaml.Next,
            input =>
            {
                string body = Encoding.UTF8.GetString(input);
                string parsed = TrustManifest.TryParse(body, out _) is null ? "body refused" : "body parsed";
                var files = set.Files with { Manifest = signer.Sign(body), Rotations = null };
                return parsed + ", " + TrustedMaterial.Load(files, set.Pin, null, TrustNow) switch
                {
                    TrustResult.Accepted a => $"accepted (version {a.Material.Version})",
                    TrustResult.Rejected r => r.Reason.ToString(),
                    _ => "unknown",
                };
            },
            _ => false, cancellation), cancellation);
    }

    [Fact(Timeout = FuzzRunner.Timeout)]
    public async Task SignedIndexSnapshot_MutatedSnapshots_OnlyRefusals()
    {
        // The "simple" set's trust material with the corpus key delegated as the index key (version 5, signed in memory
        // by the same root), so that mutated snapshot bodies signed by that key reach every check after the signature,
        // and mutated signed files the framing and signature checks.
        var set = CorpusTrustSet.LoadAll().Single(s => s.Name == "simple");
        var signer = CorpusSigner.Load(TrustNow);
        byte[] indexKeys = set.Files.RootKeys!;
        var old = TrustManifest.TryParse(ClearSignedMessage.TryParse(set.Files.Manifest!, out _)!.Plaintext, out _)!;
        var manifest = old with
        {
            Version = old.Version + 1,
            Files = new Dictionary<string, string>(old.Files) { [TrustFiles.IndexKeysName] = "sha256:" + Chartseal.IO.ContentHash.Sha256Hex(indexKeys) },
            SnapshotMaxLifetime = TimeSpan.FromDays(7),
        };
        var files = set.Files with { Manifest = signer.Sign(manifest.Serialize()), IndexKeys = indexKeys, Rotations = null };
        var material = Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(files, set.Pin, null, TrustNow)).Material;
        string trust = Chartseal.IO.ContentHash.Sha256Hex(files.Manifest!);
        var corpus = FuzzRunner.Corpus("snapshot").Select(b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("sha256:TRUST", "sha256:" + trust, StringComparison.Ordinal))).ToList();
        var random = FuzzRunner.RandomFor("snapshot");
        var bodies = new Mutator(random, corpus, Mutator.YamlTokens);
        var signed = new Mutator(random, [.. corpus.Select(b => signer.Sign(Encoding.UTF8.GetString(b)))], Mutator.ClearSignTokens);
        var cancellation = TestContext.Current.CancellationToken;
        await Task.Run(() => FuzzRunner.Run("snapshot", 1000,
            () => random.Next(2) == 0 ? [0, .. bodies.Next()] : [1, .. signed.Next()],
            input =>
            {
                byte[] snapshot = input[0] % 2 == 0 ? signer.Sign(Encoding.UTF8.GetString(input.AsSpan(1))) : input[1..];
                return TrustedSnapshot.Load(snapshot, material, new SeenSnapshot(3, new string('0', 64), material.IndexKeysSha256!), TrustNow) switch
                {
                    SnapshotResult.Accepted a => $"accepted (version {a.Snapshot.Version})"
                        + (a.Snapshot.CheckIndex(new string('0', 64), 71, "index") is { } mismatch ? ", " + mismatch.Reason : ", index matches"),
                    SnapshotResult.Rejected r => r.Refusal.Reason.ToString(),
                    _ => "unknown",
                };
            },
            _ => false, cancellation), cancellation);
    }

    /// <summary>The corpus's signing key (<c>keyring/fuzz-root.sec.asc</c>, the root of the trust seeds), unlocked.</summary>
    private sealed class CorpusSigner
    {
        private readonly SigningKey _key;
        private readonly Org.BouncyCastle.Bcpg.OpenPgp.PgpPrivateKey _privateKey;
        private readonly DateTime _signedAt;

        private CorpusSigner(Keyring keyring, DateTime now)
        {
            Keyring = keyring;
            _key = SigningKeySelector.Select(keyring, "root@example.com", now);
            _privateKey = _key.Unlock(null);
            _signedAt = now.AddMinutes(-1);
        }

        /// <summary>The key's certificate, for verification.</summary>
        public Keyring Keyring { get; }

        public static CorpusSigner Load(DateTime now) => new(Keyring.Load(Path.Combine(FuzzRunner.CorpusRoot, "keyring", "fuzz-root.sec.asc")), now);

        /// <summary>A clear-signed document of <paramref name="body"/> (Ed25519 is deterministic: the same bytes on every run).</summary>
        public byte[] Sign(string body) => ProvenanceSigner.Sign(body, _privateKey, _key.SecretKey.PublicKey, _signedAt);
    }

    /// <summary>One repository's trust files from <c>fuzz-corpus/trust/NAME/</c>, and the root a client pinned.</summary>
    private sealed record CorpusTrustSet(string Name, TrustFiles Files, PinnedRoot Pin)
    {
        /// <summary>Manifest, root.pgp, pubkeys.pgp, revoked.pgp, rotations.asc.</summary>
        public const int FileCount = 5;

        public static List<CorpusTrustSet> LoadAll() =>
        [
            .. Directory.GetDirectories(Path.Combine(FuzzRunner.CorpusRoot, "trust")).Order(StringComparer.Ordinal).Select(dir =>
            {
                byte[]? Read(string name) => System.IO.File.Exists(Path.Combine(dir, name)) ? System.IO.File.ReadAllBytes(Path.Combine(dir, name)) : null;
                var files = new TrustFiles(Read(TrustFiles.ManifestName), Read(TrustFiles.PublicKeysName), Read(TrustFiles.RevokedName),
                    Read(TrustFiles.RootKeysName), Read(TrustFiles.RotationsName));
                return new CorpusTrustSet(Path.GetFileName(dir), files, new PinnedRoot(System.IO.File.ReadAllText(Path.Combine(dir, "pinned-root")).Trim()));
            }),
        ];

        public byte[]? FileAt(int index) => index switch
        {
            0 => Files.Manifest,
            1 => Files.RootKeys,
            2 => Files.PublicKeys,
            3 => Files.Revoked,
            4 => Files.Rotations,
            _ => null,
        };

        /// <summary>These files with file <paramref name="index"/> replaced by <paramref name="bytes"/> (a set without rotations.asc gets one).</summary>
        public TrustFiles With(int index, byte[] bytes) => index switch
        {
            0 => Files with { Manifest = bytes },
            1 => Files with { RootKeys = bytes },
            2 => Files with { PublicKeys = bytes },
            3 => Files with { Revoked = bytes },
            _ => Files with { Rotations = bytes },
        };
    }
}
