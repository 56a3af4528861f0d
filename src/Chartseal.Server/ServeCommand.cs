using System.CommandLine;
using System.Globalization;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Repository;

namespace Chartseal.Server;

/// <summary><c>chartseal serve</c>: the command line of the repository's HTTP server.</summary>
internal static class ServeCommand
{
    public static Command Serve() => Serve(Environment.GetEnvironmentVariable);

    /// <summary>The command, reading environment variables through <paramref name="environment"/>.</summary>
    public static Command Serve(Func<string, string?> environment)
    {
        var dir = new Argument<string?>("REPO_DIR") { Description = "The repository folder, created if missing (default: repo) [$CHARTSEAL_SERVE_REPO_DIR, $STORAGE_LOCAL_ROOTDIR]", Arity = ArgumentArity.ZeroOrOne };
        // An unknown option would otherwise be taken for the folder and served.
        dir.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value.StartsWith('-'))
            {
                result.AddError($"unknown option {value}");
            }
        });
        // No defaults here: a setting not given on the command line comes from the environment, the config file or the
        // default, in that order (ServeSettings). ChartMuseum's variables are accepted for the settings it shares.
        var config = new Option<string?>("--config") { Description = "YAML file of settings, keys named as these options (docs/configuration.md) [$CHARTSEAL_SERVE_CONFIG]" };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on: http://IP:PORT (0.0.0.0 for every address) or http://localhost:PORT, https://… with --tls-cert (default http://127.0.0.1:8080, https:// with --tls-cert) [$CHARTSEAL_SERVE_LISTEN, $PORT and $LISTEN_HOST]" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve https with this PEM certificate (then its chain); read again when it changes [$CHARTSEAL_SERVE_TLS_CERT, $TLS_CERT]" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The certificate's PEM private key (RSA or EC, unencrypted) [$CHARTSEAL_SERVE_TLS_KEY, $TLS_KEY]" };
        var tlsCaCert = new Option<string?>("--tls-ca-cert") { Description = "Mutual TLS: every client must present a certificate issued by a CA of this PEM file [$CHARTSEAL_SERVE_TLS_CA_CERT, $TLS_CA_CERT]" };
        var tokenFile = new Option<string?>("--upload-token-file") { Description = "File of bearer tokens (one per line) that may upload and delete [$CHARTSEAL_SERVE_UPLOAD_TOKEN_FILE]" };
        var basicUser = new Option<string?>("--basic-auth-user") { Description = "User that may write with HTTP Basic auth [$CHARTSEAL_SERVE_BASIC_AUTH_USER, $BASIC_AUTH_USER]" };
        var basicPass = new Option<string?>("--basic-auth-pass") { Description = "Its password (prefer a variable or --htpasswd-file: arguments are visible to ps) [$CHARTSEAL_SERVE_BASIC_AUTH_PASS, $BASIC_AUTH_PASS]" };
        var htpasswd = new Option<string?>("--htpasswd-file") { Description = "htpasswd file of users that may write with HTTP Basic auth (bcrypt entries: htpasswd -B) [$CHARTSEAL_SERVE_HTPASSWD_FILE]" };
        var anonymous = new Option<bool?>("--allow-anonymous-upload") { Description = "Accept writes without credentials (only when no token file and no Basic user is given) [$CHARTSEAL_SERVE_ALLOW_ANONYMOUS_UPLOAD]", Arity = ArgumentArity.ZeroOrOne };
        var authReads = new Option<bool?>("--require-auth-for-reads") { Description = "Reads (index, charts, .prov, trust files, page, API) need the same credentials as writes; /health, /ready and /metrics stay open [$CHARTSEAL_SERVE_REQUIRE_AUTH_FOR_READS]", Arity = ArgumentArity.ZeroOrOne };
        var allowOverwrite = new Option<bool?>("--allow-overwrite") { Description = "Let an upload with ?force replace a published version (still verified) [$CHARTSEAL_SERVE_ALLOW_OVERWRITE, $ALLOW_OVERWRITE]", Arity = ArgumentArity.ZeroOrOne };
        var disableDelete = new Option<bool?>("--disable-delete") { Description = "Refuse DELETE /api/charts/NAME/VERSION [$CHARTSEAL_SERVE_DISABLE_DELETE, $DISABLE_DELETE]", Arity = ArgumentArity.ZeroOrOne };
        var disableApi = new Option<bool?>("--disable-api") { Description = "Serve no ChartMuseum API (/api/charts, /api/prov): a read-only repository, which writes nothing and may serve a read-only folder [$CHARTSEAL_SERVE_DISABLE_API, $DISABLE_API]", Arity = ArgumentArity.ZeroOrOne };
        var disableMetrics = new Option<bool?>("--disable-metrics") { Description = "Serve no /metrics [$CHARTSEAL_SERVE_DISABLE_METRICS, $DISABLE_METRICS]", Arity = ArgumentArity.ZeroOrOne };
        var contextPath = new Option<string?>("--context-path") { Description = "Serve every route under this path prefix, e.g. /charts [$CHARTSEAL_SERVE_CONTEXT_PATH, $CONTEXT_PATH]" };
        var rootFingerprint = new Option<string?>("--root-fingerprint") { Description = "The repository's root key (default: the root its trust material declares, pinned at first use) [$CHARTSEAL_SERVE_ROOT_FINGERPRINT]" };
        var maxUpload = NumberOption("--max-upload-size", "Largest upload in bytes (default 20 MiB) [$CHARTSEAL_SERVE_MAX_UPLOAD_SIZE, $MAX_UPLOAD_SIZE]");
        var writesPerMinute = NumberOption("--writes-per-minute", "Writes allowed per token, user (or client address) per minute (default 120) [$CHARTSEAL_SERVE_WRITES_PER_MINUTE]");
        var indexKey = new Option<string?>("--index-key") { Description = "An index key of the repository (trust index-key add), to sign the index snapshot with after every change and before it expires: " + Keys.SigningKeySelector.HowToName + " [$CHARTSEAL_SERVE_INDEX_KEY]" };
        var indexKeyring = new Option<string?>("--index-keyring") { Description = "Secret keyring holding the index key: the only secret the server holds, and it can make no chart trusted [$CHARTSEAL_SERVE_INDEX_KEYRING]" };
        var indexPassphrase = new Option<string?>("--index-passphrase-file") { Description = "File whose first line is the index key's passphrase (or $CHARTSEAL_KEY_PASSPHRASE, $HELM_KEY_PASSPHRASE) [$CHARTSEAL_SERVE_INDEX_PASSPHRASE_FILE]" };
        var indexExpires = new Option<string?>("--index-expires") { Description = "How long each snapshot is valid, e.g. 1d, 6h, 30min (default 1d) [$CHARTSEAL_SERVE_INDEX_EXPIRES]" };
        var debug = new Option<bool?>("--debug") { Description = "Log at debug level, with a line per request [$CHARTSEAL_SERVE_DEBUG, $DEBUG]", Arity = ArgumentArity.ZeroOrOne };
        // Named as users type it ("chartseal serve"), not after this program's file.
        var command = new Command("serve", "Serve a chart repository over HTTP or HTTPS: index.yaml, charts, .prov files, trust material, a ChartMuseum-compatible upload API that refuses untrusted charts, /health, /ready and /metrics. Each option can also be set as CHARTSEAL_SERVE_NAME or in the --config file; the command line wins, then the environment, then the file.")
        {
            dir, config, listen, tlsCert, tlsKey, tlsCaCert, tokenFile, basicUser, basicPass, htpasswd, anonymous, authReads, allowOverwrite, disableDelete, disableApi, disableMetrics,
            contextPath, rootFingerprint, maxUpload, writesPerMinute, indexKey, indexKeyring, indexPassphrase, indexExpires, debug, new System.CommandLine.Help.HelpOption(),
        };
        command.SetAction(async (p, ct) =>
        {
            var settings = await ServeSettings.LoadAsync(p.GetValue(config), environment, ct);
            bool? Given(Option<bool?> option) => GivenFlag(p, option);
            string repository = Path.GetFullPath(settings.Text("repo-dir", p.GetValue(dir)) ?? "repo");
            IReadOnlyList<string> tokens = settings.Text("upload-token-file", p.GetValue(tokenFile)) is { } file ? await WriteAccess.ReadTokenFileAsync(file, ct) : [];
            var users = await BasicAuthUsers.LoadAsync(settings.Text("basic-auth-user", p.GetValue(basicUser)), settings.Text("basic-auth-pass", p.GetValue(basicPass)),
                settings.Text("htpasswd-file", p.GetValue(htpasswd)), ct);
            long? writes = settings.Number("writes-per-minute", p.GetValue(writesPerMinute));
            DateTime now = DateTime.UtcNow;
            IndexSigner? indexSigner = null;
            if (settings.Text("index-key", p.GetValue(indexKey)) is { } keyName)
            {
                string keyring = settings.Text("index-keyring", p.GetValue(indexKeyring)) ?? throw new ChartsealException(null, "--index-keyring is required with --index-key");
                indexSigner = IndexSigner.Unlock(keyring, keyName, new Keys.PassphraseSource(settings.Text("index-passphrase-file", p.GetValue(indexPassphrase))), now);
            }
            TimeSpan snapshotLifetime = settings.Text("index-expires", p.GetValue(indexExpires)) is { } expires
                ? Keys.Duration.Parse(expires) ?? throw new ChartsealException(null, "--index-expires must be finite")
                : IndexSigner.DefaultLifetime;
            string? certFile = settings.Text("tls-cert", p.GetValue(tlsCert)), keyFile = settings.Text("tls-key", p.GetValue(tlsKey));
            var options = new ServerOptions
            {
                RepositoryDir = repository,
                Listen = settings.Listen(p.GetValue(listen), tls: certFile is not null || keyFile is not null),
                ListenSetting = settings.ListenSetting(p.GetValue(listen)),
                TlsCertFile = certFile,
                TlsKeyFile = keyFile,
                TlsCaCertFile = settings.Text("tls-ca-cert", p.GetValue(tlsCaCert)),
                UploadTokens = tokens,
                BasicAuth = users,
                AllowAnonymousUpload = settings.Flag("allow-anonymous-upload", Given(anonymous)),
                RequireAuthForReads = settings.RequireAuthForReads(Given(authReads), tokens.Count > 0 || users.Count > 0),
                AllowOverwrite = settings.Flag("allow-overwrite", Given(allowOverwrite)),
                DisableDelete = settings.Flag("disable-delete", Given(disableDelete)),
                DisableApi = settings.Flag("disable-api", Given(disableApi)),
                DisableMetrics = settings.DisableMetrics(Given(disableMetrics)),
                Debug = settings.Flag("debug", Given(debug)),
                ContextPath = ServerOptions.NormalizeContextPath(settings.Text("context-path", p.GetValue(contextPath)) ?? ""),
                Root = settings.Text("root-fingerprint", p.GetValue(rootFingerprint)) is { } fpr ? new PinnedRoot(fpr) : null,
                TrustState = TrustStateStore.Default(),
                MaxUploadBytes = settings.Number("max-upload-size", p.GetValue(maxUpload)) ?? 20L * 1024 * 1024,
                WritesPerMinute = writes is { } w ? (int)Math.Min(w, int.MaxValue) : 120,
                IndexSigner = indexSigner,
                SnapshotLifetime = snapshotLifetime,
            };
            if (options.RequireAuthForReads && tokens.Count == 0 && users.Count == 0)
            {
                throw new ChartsealException(null, "--require-auth-for-reads needs credentials to ask for: --basic-auth-user, --htpasswd-file or --upload-token-file");
            }
            await using var server = await RepositoryServer.StartAsync(options, ct);
            // A deployment written for ChartMuseum, whose Basic user also guarded reads unless AUTH_ANONYMOUS_GET said otherwise.
            bool chartMuseumGuardedReads = settings.BasicUserFromChartMuseum(p.GetValue(basicUser)) && !settings.AnonymousGetGiven;
            PrintBanner(options, server.RepositoryUrl, server.Tls, chartMuseumGuardedReads);
            await server.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    // A positive whole number, read as its variable or file value is (ServeSettings.Number); a value that is not one is
    // refused in one line naming the option, not in System.CommandLine's words (which name .NET's Nullable`1 type).
    private static Option<long?> NumberOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number) && number > 0)
            {
                return number;
            }
            result.AddError($"{name} {value}: not a positive whole number");
            return null;
        },
    };

    /// <summary>A boolean option as given on the command line: null when absent, true for <c>--flag</c> alone, else its value.</summary>
    internal static bool? GivenFlag(ParseResult parse, Option<bool?> option) =>
        parse.GetResult(option) is null ? null : parse.GetValue(option) ?? true;

    // What a newcomer needs next, on stderr (stdout carries the JSON log).
    private static void PrintBanner(ServerOptions options, Uri address, Tls.ServerTls? tls, bool chartMuseumGuardedReads)
    {
        var e = Console.Error;
        string url = address.ToString().TrimEnd('/');
        string dir = options.RepositoryDir;
        e.WriteLine($"Serving {dir} at {url}/index.yaml");
        if (options.IndexSigner is { } signer)
        {
            e.WriteLine($"Index: signed as {IndexSnapshot.FileName} by index key {signer.Fingerprint}, valid {Keys.Duration.ForPeople(options.SnapshotLifetime)} each");
        }
        if (tls is not null)
        {
            e.WriteLine($"TLS: {TerminalText.Escape(tls.Current.Description)}, from {TerminalText.Escape(tls.CertFile)} ({(tls.FollowsFiles ? "read again when it changes" : "a pipe, read once: a renewal needs a restart")}); clients of a private CA add the repository with --ca-file CA.pem");
            if (tls.ClientAuthorities is { } cas)
            {
                e.WriteLine($"Clients must present a certificate issued by a CA of {TerminalText.Escape(cas.File)} (mutual TLS, every route): chartseal repo add NAME {url} --cert-file CERT --key-file KEY, helm repo add NAME {url} --cert-file CERT --key-file KEY.");
            }
        }
        e.WriteLine($"Page: {url}/ (every chart version's verdict)");
        e.WriteLine($"Probes: {url}/health (alive), {url}/ready (trust material verifies, folder readable)" + (options.DisableMetrics ? "." : $"; metrics: {url}/metrics"));
        if (!File.Exists(Path.Combine(dir, TrustFiles.ManifestName)))
        {
            string shellDir = TerminalText.Escape(TerminalText.ShellQuote(dir));
            e.WriteLine("The repository has no trust material yet. Make a root key (it stays offline) and a maintainer's key, then initialise it:");
            e.WriteLine("  chartseal key generate --name \"Root <root@example.com>\" --out root --expires 0");
            e.WriteLine("  chartseal key generate --name \"Maintainer <maintainer@example.com>\" --out maintainer --algorithm rsa3072");
            e.WriteLine($"  chartseal trust init {shellDir} --root-key root@example.com --root-keyring root.sec.asc");
            e.WriteLine($"  chartseal trust add {shellDir} maintainer.pub.asc --root-key root@example.com --root-keyring root.sec.asc");
        }
        bool tokens = options.UploadTokens.Count > 0, users = options.BasicAuth.Count > 0;
        e.WriteLine(tokens && users ? "Uploads: require Authorization: Bearer TOKEN (from the token file) or a Basic user (curl -u USER:PASSWORD)."
            : tokens ? "Uploads: require Authorization: Bearer TOKEN (from the token file)."
            : users ? "Uploads: require a Basic user (curl -u USER:PASSWORD, helm cm-push --username --password)."
            : options.AllowAnonymousUpload ? "Uploads: open to anyone (--allow-anonymous-upload); each is still verified against the trust material."
            : "Uploads: refused (start with --upload-token-file FILE, --basic-auth-user or --htpasswd-file FILE to accept them).");
        if (options.RequireAuthForReads)
        {
            e.WriteLine("Reads: require the same credentials (--require-auth-for-reads): chartseal repo add NAME URL --username USER --password-stdin, helm repo add NAME URL --username USER --password-stdin.");
        }
        else if (chartMuseumGuardedReads)
        {
            e.WriteLine("Reads: open to everyone. ChartMuseum asked for credentials on reads when BASIC_AUTH_USER was set; to keep them private here, add --require-auth-for-reads (or AUTH_ANONYMOUS_GET=false).");
        }
        if (!tokens && !users && !options.AllowAnonymousUpload)
        {
            return; // no upload example for a server that refuses uploads
        }
        e.WriteLine("Upload a signed chart:");
        string auth = (tls?.ClientAuthorities is null ? "" : "--cert CERT --key KEY ")
            + (tokens ? "-H \"Authorization: Bearer $TOKEN\" " : users ? "-u USER:PASSWORD " : "");
        e.WriteLine($"  curl {auth}-F chart=@mysql-1.2.3.tgz -F prov=@mysql-1.2.3.tgz.prov {url}/api/charts");
    }
}
