using System.CommandLine;
using Chartseal.Client;
using Chartseal.Keys;
using Chartseal.Trust;
using Chartseal.Fetch;
using Chartseal.Gate;
using Chartseal.IO;

namespace Chartseal.Cli.Commands;

/// <summary>The verifying client: <c>repo add|update|list|remove</c>, <c>search</c>, <c>pull</c>, <c>install</c>.</summary>
internal static class ClientCommands
{
    /// <summary>The client's subcommands of <c>repo</c>.</summary>
    public static IEnumerable<Command> RepoSubcommands() => [RepoAdd(), RepoUpdate(), RepoList(), RepoRemove()];

    private static Command RepoAdd()
    {
        var name = new Argument<string>("NAME") { Description = "Local name of the repository (used as NAME/CHART)" };
        var url = new Argument<string>("URL") { Description = "The repository's https:// URL, or a registry namespace oci://HOST/NS" };
        var rootFingerprint = new Option<string?>("--root-fingerprint") { Description = "Pin this root key fingerprint (obtained out of band)" };
        var rootKey = new Option<string?>("--root-key") { Description = "Pin the root key in this public key file" };
        var tofu = new Option<bool>("--trust-on-first-use") { Description = "Pin whatever root the repository names now (recorded as such)" };
        var forceUpdate = new Option<bool>("--force-update") { Description = "Replace the repository's configuration if the name is already taken" };
        var insecureHttp = TransportOption.Create("Allow a plain http:// URL, or plain HTTP to an oci:// registry, recorded for this repository");
        var registry = new RegistryOptions(insecureHttp, credentials: false);
        registry.CaFile.Description = "Verify the repository's TLS certificate with these CA certificates (PEM) instead of the system roots";
        registry.CertFile.Description = "Present this TLS client certificate (PEM) to the repository or registry (mutual TLS)";
        registry.InsecureSkipTlsVerify.Description = "Do not check the repository's TLS certificate (signatures still decide what is trusted)";
        var username = new Option<string?>("--username") { Description = "User name for HTTP Basic auth to an http(s) repository, recorded for it" };
        var password = new Option<string?>("--password") { Description = "Its password (visible to other users in the process list: prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var passCredentials = new Option<bool>("--pass-credentials") { Description = "Send the credentials to chart URLs on other hosts too (by default only to the repository's own scheme, host and port)" };
        var timeout = TimeoutOption.Create();
        var command = new Command("add", "Add a repository, pinning its root key; its trust material is verified and cached before it is recorded.")
        {
            name, url, rootFingerprint, rootKey, tofu, forceUpdate, insecureHttp, username, password, passwordStdin, passCredentials, timeout,
        };
        registry.AddTo(command);
        // Helm's repo add flags this one does not take; --allow-deprecated-repos and Helm 3's --no-update change nothing here.
        HelmFlags.Ignore(command, "--allow-deprecated-repos");
        HelmFlags.Ignore(command, "--no-update");
        command.Validators.Add(result =>
        {
            int pins = (result.GetValue(rootFingerprint) is null ? 0 : 1) + (result.GetValue(rootKey) is null ? 0 : 1) + (result.GetValue(tofu) ? 1 : 0);
            if (pins > 1)
            {
                result.AddError("give only one of --root-fingerprint, --root-key and --trust-on-first-use");
            }
            bool hasUser = result.GetValue(username) is not null;
            if (result.GetValue(password) is not null && result.GetValue(passwordStdin))
            {
                result.AddError("give only one of --password and --password-stdin");
            }
            else if (!hasUser && (result.GetValue(password) is not null || result.GetValue(passwordStdin)))
            {
                result.AddError("--password and --password-stdin go with --username");
            }
            if (!hasUser && result.GetValue(passCredentials))
            {
                result.AddError("--pass-credentials goes with --username");
            }
            if (result.GetValue(url) is { } location && OciRepositorySource.IsOciLocation(location) && hasUser)
            {
                result.AddError("--username and --password are for http(s) repositories; a registry's credentials come from helm registry login or docker login");
            }
        });
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var deadline = TimeoutOption.Start(p, timeout);
            var home = ClientHome.Default();
            string repoName = ConfiguredRepository.CheckName(p.GetValue(name)!);
            string repoUrl = p.GetValue(url)!.TrimEnd('/');
            bool insecure = p.GetValue(insecureHttp);
            if (OciRepositorySource.IsOciLocation(repoUrl))
            {
                // (A reference with USER:PASSWORD@ is refused as it is parsed.)
                repoUrl = OciRepositorySource.CanonicalLocation(OciRepositorySource.ParseNamespace(repoUrl));
            }
            else if (RegistryOptions.WithoutCredentials(repoUrl) is { } shown)
            {
                throw new ChartsealException(shown, RegistryOptions.CredentialsInUrl("--password-stdin"));
            }
            else if (!FetchPolicy.IsUrl(repoUrl))
            {
                throw new ChartsealException(repoUrl, "not an http(s) URL or an oci:// registry namespace");
            }
            string? user = p.GetValue(username);
            string? secret = user is null ? null
                : p.GetValue(passwordStdin) ? await RegistryOptions.ReadPasswordFromStdinAsync(ct)
                : p.GetValue(password) ?? AskPassword();
            if (user is not null)
            {
                BasicCredentials.Check(user, secret!);
            }
            static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
            string? caFile = Full(p.GetValue(registry.CaFile));
            // The root is filled in below; the transport settings are those recorded, and the first download uses them.
            var wanted = new ConfiguredRepository(repoName, repoUrl, "", false, insecure)
            {
                CaFile = caFile,
                Username = user,
                Password = secret,
                PassCredentialsAll = p.GetValue(passCredentials),
                CertFile = Full(p.GetValue(registry.CertFile)),
                KeyFile = Full(p.GetValue(registry.KeyFile)),
                InsecureSkipTlsVerify = p.GetValue(registry.InsecureSkipTlsVerify),
            };
            TransportNotes.Note(wanted);
            using var source = wanted.OpenSource(deadline);
            PinnedRoot? pinned = p.GetValue(rootFingerprint) is { } fpr ? new PinnedRoot(fpr)
                : p.GetValue(rootKey) is { } keyFile ? RepositoryClient.RootFromKeyFile(keyFile)
                : null;
            var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct);
            // Helm's --force-update: whatever is configured under the name is replaced once the new one is verified.
            bool replace = p.GetValue(forceUpdate);
            if (!replace && pinned is null && !p.GetValue(tofu))
            {
                config.CheckFree(repoName);
            }
            else if (!replace && config.IsConfiguredAs(repoName, repoUrl, pinned?.Fingerprint, insecure, caFile, wanted))
            {
                // As Helm: adding a repository again exactly as it is configured changes nothing (scripts run repo add every time).
                Console.WriteLine($"\"{repoName}\" already exists with the same configuration, skipping");
                return ExitCodes.Ok;
            }

            PinnedRoot root;
            bool onFirstUse = false;
            if (pinned is not null)
            {
                root = pinned;
            }
            else
            {
                var claimed = await TrustOnFirstUse.ClaimAsync(source, ct);
                // The user id comes from the unverified root.pgp: escaped, so it cannot forge text around the fingerprint.
                string who = claimed.UserId is null ? "" : $" ({TerminalText.Escape(claimed.UserId)})";
                if (!p.GetValue(tofu))
                {
                    throw new ChartsealException(repoUrl, $"no root key pinned; the repository names root {claimed.Fingerprint}{who}. " +
                        $"Check it out of band, then run again with --root-fingerprint {claimed.Fingerprint} (or --trust-on-first-use)");
                }
                Console.WriteLine($"Trusting on first use: root {claimed.Fingerprint}{who}");
                root = new PinnedRoot(claimed.Fingerprint);
                onFirstUse = true;
            }

            var repository = wanted with { RootFingerprint = root.Fingerprint, TrustOnFirstUse = onFirstUse };
            var update = await RepositoryClient.AddAsync(home, repository, replace, now, DownloadProgressPrinter.ForTerminal(), deadline, ct);
            if (update is RepositoryUpdate.Rejected r)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{r.File}: {r.Refusal}"));
                return ExitCodes.Rejected;
            }
            if (update is RepositoryUpdate.Unchanged)
            {
                // Another repo add of it (a parallel job) finished while this one waited for the configuration's lock.
                Console.WriteLine($"\"{repoName}\" already exists with the same configuration, skipping");
                return ExitCodes.Ok;
            }
            var updated = (RepositoryUpdate.Updated)update;
            Console.WriteLine($"\"{repoName}\" has been added to your repositories");
            Console.WriteLine($"Root: {root.Fingerprint}{(onFirstUse ? " (trusted on first use)" : "")}");
            Console.WriteLine($"Trust material: version {updated.Material.Version}, expires {TrustManifest.FormatTime(updated.Material.Manifest.Expires)}, {Plural.Count(updated.Material.PublicKeys.PublicKeyRings.Count, "maintainer key")}");
            Console.WriteLine($"Index: {(updated.ChartVersions is { } versions ? Plural.Count(versions, "chart version") : "unchanged")}{SnapshotNote(updated)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    // Helm asks on the terminal when --username comes alone; without one there is nobody to ask.
    private static string AskPassword() =>
        PassphraseEnvironment.FromConsole().Prompt is { } prompt
            ? prompt("Password: ")
            : throw new ChartsealException(null, "--username needs --password or --password-stdin (standard input is not a terminal to ask on)");

    private static Command RepoUpdate()
    {
        var names = new Argument<string[]>("NAME") { Description = "Update only these repositories (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var timeout = TimeoutOption.Create();
        var command = new Command("update", "Fetch each repository's trust material (checked against the pinned root: rollback, freeze, expiry) and index.yaml, and cache both.") { names, timeout };
        // Helm 3's --fail-on-repo-update-fail is what this command always does (a repository that fails makes the exit code non-zero).
        HelmFlags.Ignore(command, "--fail-on-repo-update-fail");
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var deadline = TimeoutOption.Start(p, timeout);
            var home = ClientHome.Default();
            var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct);
            // As Helm: every name given must be configured before anything is fetched.
            IReadOnlyList<ConfiguredRepository> targets = p.GetValue(names) is { Length: > 0 } only
                ? [.. only.Distinct(StringComparer.Ordinal).Select(config.Get)]
                : config.Repositories;
            if (targets.Count == 0)
            {
                throw new ChartsealException(home.ConfigFile, "no repositories configured (chartseal repo add NAME URL --root-fingerprint FPR)");
            }
            TransportNotes.Note(targets);
            Console.WriteLine("Hang tight while we grab the latest from your chart repositories...");
            // Helm's habit: every repository gets its line, and one that fails does not stop the others.
            int exit = ExitCodes.Ok;
            foreach (var repository in targets)
            {
                RepositoryUpdate update;
                try
                {
                    update = await RepositoryClient.UpdateAsync(home, repository, now, DownloadProgressPrinter.ForTerminal(), deadline, ct);
                }
                catch (ChartsealException e)
                {
                    Console.Error.WriteLine($"...Unable to get an update from the \"{repository.Name}\" chart repository ({TerminalText.Escape(repository.Url)}): {TerminalText.Escape(e.Message)}");
                    exit = Math.Max(exit, ExitCodes.Usage);
                    continue;
                }
                if (update is RepositoryUpdate.Rejected r)
                {
                    Console.Error.WriteLine($"...Refused the update from the \"{repository.Name}\" chart repository: {TerminalText.Escape($"{r.File}: {r.Refusal}")}");
                    exit = exit == ExitCodes.Usage ? exit : ExitCodes.Rejected;
                    continue;
                }
                var updated = (RepositoryUpdate.Updated)update;
                string index = updated.IndexChanged ? $"index: {Plural.Count(updated.ChartVersions!.Value, "chart version")}" : "index unchanged";
                Console.WriteLine($"...Successfully got an update from the \"{repository.Name}\" chart repository (trust version {updated.Material.Version}, {index}{SnapshotNote(updated)})");
            }
            Console.WriteLine(exit == ExitCodes.Ok ? "Update Complete." : "Update finished; the repositories named above kept their previous cache.");
            return exit;
        });
        return command;
    }

    // What the index was checked against, when the repository signs it.
    private static string SnapshotNote(RepositoryUpdate.Updated updated) => updated.Snapshot is { } s
        ? $", signed snapshot version {s.Version} valid until {TrustManifest.FormatTime(s.Expires)}"
        : "";

    private static Command RepoList()
    {
        var output = OutputOption.CreateWithYaml();
        var noHeaders = new Option<bool>("--no-headers") { Description = "Leave out the table's header line (as Helm's)" };
        var command = new Command("list", "List the configured repositories and their pinned roots.") { output, noHeaders };
        command.SetAction(async (p, ct) =>
        {
            var config = await RepositoryConfigFile.LoadAsync(ClientHome.Default().ConfigFile, ct);
            if (p.GetValue(output) is "json" or "yaml")
            {
                // Helm's fields first (name, url), then Chartseal's.
                VerdictOutput.WriteObject(p.GetValue(output)!, w =>
                {
                    w.WriteString("schema", "chartseal.repo-list/v1");
                    w.WriteStartArray("repositories");
                    foreach (var r in config.Repositories)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", r.Name);
                        w.WriteString("url", r.Url);
                        w.WriteString("rootFingerprint", r.RootFingerprint);
                        w.WriteBoolean("trustOnFirstUse", r.TrustOnFirstUse);
                        w.WriteBoolean("insecureHttp", r.InsecureHttp);
                        VerdictJson.WriteOptional(w, "caFile", r.CaFile);
                        // Never the password: only whether there is one.
                        VerdictJson.WriteOptional(w, "username", r.Username);
                        w.WriteBoolean("hasPassword", r.HasSecret);
                        w.WriteBoolean("passCredentialsAll", r.PassCredentialsAll);
                        VerdictJson.WriteOptional(w, "certFile", r.CertFile);
                        VerdictJson.WriteOptional(w, "keyFile", r.KeyFile);
                        w.WriteBoolean("insecureSkipTlsVerify", r.InsecureSkipTlsVerify);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            if (config.Repositories.Count == 0)
            {
                Console.Error.WriteLine("chartseal: no repositories to show");
                return ExitCodes.Ok;
            }
            PrintTable(["NAME", "URL", "ROOT", "NOTES"], config.Repositories.Select(r => new[]
            {
                r.Name, r.Url, r.RootFingerprint,
                string.Join(", ", new[]
                {
                    r.TrustOnFirstUse ? "trusted on first use" : null, r.InsecureHttp ? "insecure http" : null,
                    r.Username is null ? null : $"user {r.Username}", r.PassCredentialsAll ? "credentials to all hosts" : null,
                    r.CertFile is null ? null : "client certificate", r.InsecureSkipTlsVerify ? "TLS certificate not checked" : null,
                }.OfType<string>()),
            }), headers: !p.GetValue(noHeaders));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RepoRemove()
    {
        var names = new Argument<string[]>("NAME") { Description = "The repositories to remove", Arity = ArgumentArity.OneOrMore };
        var command = new Command("remove", "Remove repositories and their caches (the remembered trust version is kept, so re-adding one cannot roll back).") { names };
        command.SetAction(async (p, ct) =>
        {
            var home = ClientHome.Default();
            string[] repoNames = [.. p.GetValue(names)!.Distinct(StringComparer.Ordinal)];
            // Every name must be configured, or nothing is removed (a typo in the second name leaves the first in place).
            var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct);
            foreach (string repoName in repoNames)
            {
                config.Get(repoName);
            }
            foreach (string repoName in repoNames)
            {
                if (!await RepositoryClient.RemoveAsync(home, repoName, ct))
                {
                    throw new ChartsealException(home.ConfigFile, $"no repository named \"{repoName}\"");
                }
                Console.WriteLine($"\"{repoName}\" has been removed from your repositories");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Search()
    {
        var term = new Argument<string[]>("TERM") { Description = "Match chart names, references, descriptions and keywords, as helm search repo (several are joined with spaces; default: everything)", Arity = ArgumentArity.ZeroOrMore };
        var output = OutputOption.CreateWithYaml();
        var regexp = new Option<bool>("--regexp", "-r") { Description = "The term is a regular expression (RE2 syntax, as Helm's)" };
        var versions = new Option<bool>("--versions", "-l") { Description = "Show every matching version of each chart, each on its own line" };
        var version = new Option<string?>("--version") { Description = "Show versions that meet this SemVer constraint, e.g. ^1.0.0 (default: the newest stable version)" };
        var devel = new Option<bool>("--devel") { Description = "Pre-releases too (the constraint >0.0.0-0); ignored when --version is given" };
        var maxColumnWidth = new Option<int>("--max-col-width") { Description = "The widest a table column may be; longer cells are cut with ... (0: no limit)", DefaultValueFactory = _ => 50 };
        var failOnNoResult = new Option<bool>("--fail-on-no-result") { Description = "Exit 1 when nothing matches" };
        var command = new Command("search", "Search the cached indexes of the configured repositories, as helm search repo (run repo update first).")
        {
            term, regexp, versions, version, devel, maxColumnWidth, failOnNoResult, output,
        };
        command.SetAction(async (p, ct) =>
        {
            if (p.GetValue(maxColumnWidth) < 0)
            {
                throw new ChartsealException(null, "--max-col-width must be 0 or more");
            }
            var home = ClientHome.Default();
            var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct);
            var query = new ChartSearchQuery(string.Join(' ', p.GetValue(term) ?? []))
            {
                Regexp = p.GetValue(regexp),
                AllVersions = p.GetValue(versions),
                Version = p.GetValue(version),
                Devel = p.GetValue(devel),
            };
            var found = await ChartSearch.SearchAsync(home, config.Repositories, query, cancellationToken: ct);
            var hits = found.Hits;
            // A repository whose cached index may not be used is a refusal (exit 1, as pull's), one line each; the rest is shown.
            foreach (var refused in found.Refused)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{refused.File}: {refused.Refusal}"));
            }
            int exit = found.Refused.Count == 0 ? ExitCodes.Ok : ExitCodes.Rejected;
            if (hits.Count == 0 && p.GetValue(failOnNoResult))
            {
                Console.Error.WriteLine("chartseal: no results found");
                return ExitCodes.Rejected;
            }
            if (p.GetValue(output) is "json" or "yaml")
            {
                // Helm's fields, as helm search repo -o json names them (an absent app version or description is "").
                VerdictOutput.WriteObject(p.GetValue(output)!, w =>
                {
                    w.WriteString("schema", "chartseal.search/v2");
                    w.WriteStartArray("charts");
                    foreach (var h in hits)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", h.Reference);
                        w.WriteString("version", h.Version);
                        w.WriteString("app_version", h.AppVersion ?? "");
                        w.WriteString("description", h.Description ?? "");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return exit;
            }
            if (hits.Count == 0)
            {
                Console.WriteLine("No results found");
                return exit;
            }
            PrintTable(["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"], hits.Select(h => new[] { h.Reference, h.Version, h.AppVersion ?? "", h.Description ?? "" }), p.GetValue(maxColumnWidth));
            return exit;
        });
        return command;
    }

    /// <summary>Options shared by pull and install.</summary>
    private sealed class PullOptions(bool several)
    {
        private const string ChartDescription = "NAME/CHART (a configured repository's name and a chart), oci://HOST/NS/CHART[:VERSION] in a namespace added with repo add, or with --repo a chart's name in that repository";

        // install takes one chart and then helm's arguments: an array argument there would swallow them.
        private readonly Argument<string[]> _charts = new("CHART") { Description = ChartDescription + "; several may be given", Arity = ArgumentArity.OneOrMore };
        // install's chart: optional to the parser, since with --generate-name or --name-template it comes first (where the
        // release name is); the command's validator asks for it otherwise.
        private readonly Argument<string?> _chart = new("NAME/CHART") { Description = ChartDescription, Arity = ArgumentArity.ZeroOrOne };

        /// <summary>The chart argument of install (null when not given).</summary>
        public Argument<string?> Chart => _chart;

        /// <summary><c>--repo URL</c>: the chart is then a chart's name in that repository.</summary>
        public Option<string?> Repo => _location.Repo;

        public Option<string?> Version { get; } = new("--version") { Description = "An exact version or a SemVer range (default: the newest stable version)" };
        public Option<bool> Devel { get; } = new("--devel") { Description = "Without --version, take the newest version pre-releases included (as Helm: '>0.0.0-0')" };
        public Option<string?> Keyring { get; } = new("--keyring") { Description = "The signer must also be in this local keyring" };
        // install's -o is helm install's (yaml too); pull's is the verification result's.
        public Option<string> Output { get; } = several ? OutputOption.Create() : OutputOption.CreateForInstall();
        public Option<string?> Timeout { get; } = TimeoutOption.Create();

        // --repo URL --root-fingerprint FPR, with the transport options that go with it.
        private readonly PullRepositoryOptions _location = new(several ? "pull" : "install", several ? "chartseal pull NAME/CHART" : "chartseal install RELEASE NAME/CHART");

        // Helm's --verify: what chartseal always does. Taken here so that it is neither a chart name nor handed to helm
        // (helm install --verify would check the verified archive again against ~/.gnupg/pubring.gpg and fail).
        private readonly Option<bool> _verify = new("--verify") { Description = "Always on (Helm's flag, accepted): the chart is verified against its repository's trusted keys before it is used" };

        public void AddTo(Command command)
        {
            command.Arguments.Add(several ? _charts : _chart);
            command.Options.Add(Version);
            command.Options.Add(Devel);
            command.Options.Add(Keyring);
            command.Options.Add(_verify);
            command.Options.Add(Timeout);
            command.Options.Add(Output);
            _location.AddTo(command);
        }

        /// <summary>
        /// Fetches and verifies every chart named (each repository's trust material checked once), or only
        /// <paramref name="chart"/> when given, from the configured repositories or the one given by --repo; nothing is written.
        /// </summary>
        public async Task<IReadOnlyList<PullResult>> PullAsync(ParseResult p, string? chart, CancellationToken ct)
        {
            DateTime now = DateTime.UtcNow; // one clock reading for the whole operation
            var deadline = TimeoutOption.Start(p, Timeout);
            string[] charts = chart is not null ? [chart] : several ? p.GetValue(_charts)! : [p.GetValue(_chart)!];
            Keyring? local = p.GetValue(Keyring) is { } path ? Keys.Keyring.Load(path) : null;
            var progress = charts.Length == 1 ? DownloadProgressPrinter.ForTerminal() : null; // parallel downloads share no progress line
            if (_location.Given(p))
            {
                string? version = p.GetValue(Version) ?? (p.GetValue(Devel) ? PullRequest.DevelopmentVersions : null);
                return await _location.PullAsync(p, charts, version, local, progress, deadline, now, ct);
            }
            var home = ClientHome.Default();
            var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct);
            var requests = charts.Select(c => PullRequest.Resolve(config, c, p.GetValue(Version), local, progress, deadline, p.GetValue(Devel))).ToList();
            TransportNotes.Note(requests.Select(r => r.Repository));
            return await ChartPuller.PullAllAsync(home, requests, now, ct);
        }

        /// <summary>Prints a pull outcome like <c>verify --repo</c>; the extra JSON field says where the chart went.</summary>
        public static int Print(PullResult result, string format, string? savedAs, string savedField) => result switch
        {
            PullResult.Rejected r => VerdictOutput.Print(r.Verdict, format, r.File, w => w.WriteNull(savedField)),
            PullResult.Pulled pulled => VerdictOutput.Print(pulled.Verdict, format, pulled.ArchiveFileName, w => VerdictJson.WriteOptional(w, savedField, savedAs)),
            _ => throw new ArgumentOutOfRangeException(nameof(result)),
        };
    }

    public static Command Pull()
    {
        var options = new PullOptions(several: true);
        var dest = new Option<string>("--destination", "-d") { Description = "Where to write the chart (created when missing); with --untar, --untardir is appended to it", DefaultValueFactory = _ => "." };
        var untar = new Option<bool>("--untar") { Description = "Write the unpacked chart folder (DESTINATION/UNTARDIR/CHART) instead of the archive and its .prov" };
        var untarDir = new Option<string>("--untardir") { Description = "With --untar, the folder below --destination (or an absolute path) into which the chart is unpacked, as Helm's", DefaultValueFactory = _ => "." };
        var prov = new Option<bool>("--prov") { Description = "Always on (Helm's flag, accepted): the .prov is written beside the archive; unlike Helm's --prov, the chart is still verified" };
        var command = new Command("pull", "Download charts and their .prov, verify each with only its repository's trusted keys, and only then write it (several charts: one trust check per repository).") { dest, untar, untarDir, prov };
        options.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            string format = p.GetValue(options.Output)!;
            bool unpack = p.GetValue(untar);
            // Helm's rule: --untardir is joined to --destination unless it is absolute, and counts only with --untar.
            string directory = unpack && p.GetValue(untarDir) is { } below && below != "." ? Path.Combine(p.GetValue(dest)!, below) : p.GetValue(dest)!;
            var results = await options.PullAsync(p, null, ct);
            var saved = await ChartPuller.SaveAllAsync(results, directory, unpack, ct);
            int exit = ExitCodes.Ok;
            for (int i = 0; i < results.Count; i++)
            {
                exit = Math.Max(exit, PullOptions.Print(results[i], format, saved[i], "savedTo"));
                if (saved[i] is { } path && format != "json")
                {
                    Console.WriteLine($"Pulled: {TerminalText.Escape(path)}");
                }
            }
            return exit;
        });
        return command;
    }

    // Helm's --dry-run values (4: client, server, none; true and false still accepted; 3: the same five).
    private static readonly string[] DryRunModes = ["client", "server", "none", "true", "false"];

    /// <summary>
    /// The usage error for an <c>install</c> command line with a <c>--dry-run=MODE</c> Helm does not know, or null. Checked
    /// on the raw words: the parser splits an unknown <c>--dry-run=MODE</c> into <c>--dry-run</c> and a word it would take
    /// for the release, which it could not tell from <c>--dry-run RELEASE</c>.
    /// </summary>
    public static string? UnknownDryRunMode(string[] args) =>
        args.TakeWhile(a => a != "--").FirstOrDefault(a => a.StartsWith("--dry-run=", StringComparison.Ordinal) && !DryRunModes.Contains(a["--dry-run=".Length..])) is { } unknown
            ? $"invalid dry-run value (\"{unknown["--dry-run=".Length..]}\"): must be one of {string.Join(", ", DryRunModes)} (see chartseal install --help)"
            : null;

    public static Command Install()
    {
        var options = new PullOptions(several: false);
        var release = new Argument<string>("RELEASE") { Description = "The Helm release name (left out with --generate-name or --name-template: NAME/CHART comes first)" };
        // Helm's --dry-run[=client|server|none]: a bare --dry-run takes no value (what follows is an argument, as for Helm),
        // and each --dry-run=MODE is an option of its own, since the parser would split it into --dry-run and a word that
        // could not be told from the next argument.
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Helm's --dry-run[=client|server|none], handed to helm install as given: helm simulates the install of the verified archive; without helm on PATH, print the helm command instead",
            Arity = ArgumentArity.Zero,
        };
        var generateName = new Option<bool>("--generate-name", "-g") { Description = "Leave out RELEASE: the release is named CHART-<unix time> after the chart reference, as helm install --generate-name names it" };
        var nameTemplate = new Option<string?>("--name-template") { Description = "Leave out RELEASE: helm names the release with this template (handed to helm install)" };
        var helmArgs = new Argument<string[]>("HELM_ARGS") { Description = "Arguments passed to helm install (after --)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("install", "Pull and verify a chart into a private folder, then run helm install RELEASE <verified archive> HELM_ARGS... (--timeout, -o, --dry-run and --name-template are handed to helm too, as Helm's)") { release };
        options.AddTo(command);
        command.Options.Add(dryRun);
        foreach (string mode in DryRunModes)
        {
            command.Options.Add(new Option<bool>("--dry-run=" + mode) { Arity = ArgumentArity.Zero, Hidden = true });
        }
        command.Options.Add(generateName);
        command.Options.Add(nameTemplate);
        command.Arguments.Add(helmArgs);
        command.Validators.Add(r =>
        {
            // Helm's rules and words (action.Install.NameAndChart). A chart is always NAME/CHART or oci://...: a first word
            // without a slash followed by one with it is a release name and a chart. With --repo, a chart is a bare name: a
            // second word that is not one of helm's flags is a chart after a release name.
            bool generate = r.GetValue(generateName), template = r.GetValue(nameTemplate) is not null;
            string? first = r.GetValue(release), second = r.GetValue(options.Chart);
            bool releaseAndChart = first is not null && second is not null && (r.GetValue(options.Repo) is not null
                ? !second.StartsWith('-')
                : !first.Contains('/', StringComparison.Ordinal) && second.Contains('/', StringComparison.Ordinal));
            if ((generate || template) && releaseAndChart)
            {
                r.AddError($"cannot set {(generate ? "--generate-name" : "--name-template")} and also specify a name");
            }
            else if (!generate && !template && first is not null && second is null)
            {
                r.AddError("must either provide a name or specify --generate-name (chartseal install RELEASE NAME/CHART, or install --generate-name NAME/CHART)");
            }
        });
        command.SetAction(async (p, ct) =>
        {
            string format = p.GetValue(options.Output)!;
            // Every --dry-run as typed, in order; as for Helm the last one counts, and none and false are no dry run.
            string[] dryRuns = [.. p.Tokens.Where(t => t.Type == System.CommandLine.Parsing.TokenType.Option
                && (t.Value == "--dry-run" || t.Value.StartsWith("--dry-run=", StringComparison.Ordinal))).Select(t => t.Value)];
            bool dry = dryRuns is [.., var last] && last is not ("--dry-run=none" or "--dry-run=false");
            string? template = p.GetValue(nameTemplate);
            bool named = p.GetValue(generateName) || template is not null;
            // With --generate-name or --name-template the chart came first, and what the parser took for the chart is helm's.
            string chart = named ? p.GetValue(release)! : p.GetValue(options.Chart)!;
            var rest = new List<string>(p.GetValue(helmArgs) ?? []);
            if (named && p.GetValue(options.Chart) is { } more)
            {
                rest.Insert(0, more);
            }
            string? helm = HelmHandOff.FindHelm();
            if (helm is null && !dry)
            {
                throw new ChartsealException(null, "helm was not found on PATH (install Helm, or use --dry-run to see the command)");
            }
            // Flags that are helm install's too keep Helm's meaning there: --timeout (also the deadline of the downloads
            // here), -o (helm's output format: stdout is then helm's alone, the verification lines go to stderr),
            // --dry-run and --name-template. --version, --devel, --keyring and --verify were used here to choose and
            // verify the chart; --generate-name names the release here, from the chart reference, as Helm would.
            var handed = new List<string>(dryRuns);
            if (template is not null)
            {
                handed.AddRange(["--name-template", template]);
            }
            if (p.GetValue(options.Timeout) is { } helmTimeout)
            {
                handed.AddRange(["--timeout", helmTimeout]);
            }
            // -o is helm's when helm runs; without helm, text and json are the verification result here, and yaml, which
            // only helm writes, is named in the command printed.
            bool helmFormat = p.GetResult(options.Output) is { Implicit: false } && (helm is not null || format == "yaml");
            if (helmFormat)
            {
                handed.AddRange(["--output", format == "text" ? "table" : format]);
            }
            handed.AddRange(rest);
            string? releaseName = template is not null ? null
                : p.GetValue(generateName) ? HelmHandOff.GeneratedReleaseName(chart, DateTimeOffset.UtcNow)
                : p.GetValue(release)!;
            var result = (await options.PullAsync(p, chart, ct))[0];
            if (result is not PullResult.Pulled pulled)
            {
                return PullOptions.Print(result, format, null, "helmCommand");
            }
            // The archive helm is given lives in a private folder removed when this command ends: what is printed names
            // the archive and which verified chart it is, never that path.
            string shown = string.Join(' ', new[] { "helm" }.Concat(HelmHandOff.InstallArguments(releaseName, pulled.ArchiveFileName, handed)).Select(TerminalText.ShellQuote));
            string what = $"{TerminalText.ShellQuote(pulled.ArchiveFileName)}: the archive of {chart} {pulled.Verdict.Metadata.Version} verified above";
            if (helm is null)
            {
                PullOptions.Print(result, format, shown, "helmCommand");
                if (format != "json")
                {
                    Console.WriteLine(TerminalText.Escape($"Dry run: helm is not on PATH; it would be run as {shown} ({what}, as chartseal pull writes it)"));
                }
                return ExitCodes.Ok;
            }
            var privateDir = Directory.CreateTempSubdirectory("chartseal-install-");
            try
            {
                string archive = await pulled.SaveAsync(privateDir.FullName, untar: false, ct);
                // The verification lines, then helm's output: on stdout for people, on stderr when -o gave helm's format.
                var lines = helmFormat ? Console.Error : Console.Out;
                VerdictOutput.Print(pulled.Verdict, "text", pulled.ArchiveFileName, text: lines);
                lines.WriteLine(TerminalText.Escape($"Running: {shown} ({what}, in a private folder removed when helm ends)"));
                lines.Flush();
                return await HelmHandOff.RunAsync(helm, HelmHandOff.InstallArguments(releaseName, archive, handed), ct);
            }
            finally
            {
                privateDir.Delete(recursive: true);
            }
        });
        return command;
    }

    // Cells come from index.yaml (names, versions, descriptions) or the configuration: escaped before measuring, then
    // cut to maxColumnWidth as Helm's tables are (the last three characters of a cut cell are "...").
    private static void PrintTable(string[] header, IEnumerable<string[]> rows, int maxColumnWidth = 0, bool headers = true)
    {
        string Cell(string text)
        {
            string escaped = TerminalText.Escape(text);
            return maxColumnWidth > 0 && escaped.Length > maxColumnWidth
                ? (maxColumnWidth > 3 ? escaped[..(maxColumnWidth - 3)] + "..." : escaped[..maxColumnWidth])
                : escaped;
        }
        var all = headers ? new List<string[]> { header } : [];
        all.AddRange(rows.Select(row => Array.ConvertAll(row, Cell)));
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => all.Count == 0 ? 0 : all.Max(r => r[i].Length))];
        foreach (var row in all)
        {
            Console.WriteLine(string.Join("\t", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
