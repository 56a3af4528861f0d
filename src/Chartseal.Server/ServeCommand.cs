using System.CommandLine;
using System.Globalization;
using Chartseal.Trust;
using Chartseal.Client;

namespace Chartseal.Server;

/// <summary><c>chartseal serve</c>: the command line of the repository's HTTP server.</summary>
internal static class ServeCommand
{
    public static Command Serve()
    {
        var dir = new Argument<string>("REPO_DIR") { Description = "The repository folder (created if missing)", DefaultValueFactory = _ => "repo" };
        // An unknown option would otherwise be taken for the folder and served.
        dir.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && value.StartsWith('-'))
            {
                result.AddError($"unknown option {value}");
            }
        });
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var tokenFile = new Option<string?>("--upload-token-file") { Description = "File of bearer tokens (one per line) that may upload and delete" };
        // ChartMuseum's flags keep ChartMuseum's environment variables, so a migrated deployment's settings still apply.
        var basicUser = new Option<string?>("--basic-auth-user") { Description = "User that may write with HTTP Basic auth [$BASIC_AUTH_USER]", DefaultValueFactory = _ => Env("BASIC_AUTH_USER") };
        var basicPass = new Option<string?>("--basic-auth-pass") { Description = "Its password [$BASIC_AUTH_PASS] (prefer the variable or --htpasswd-file: arguments are visible to ps)", DefaultValueFactory = _ => Env("BASIC_AUTH_PASS") };
        var htpasswd = new Option<string?>("--htpasswd-file") { Description = "htpasswd file of users that may write with HTTP Basic auth (bcrypt entries: htpasswd -B)" };
        var anonymous = new Option<bool>("--allow-anonymous-upload") { Description = "Accept writes without credentials (only when no token file and no Basic user is given)" };
        var allowOverwrite = new Option<bool>("--allow-overwrite") { Description = "Let an upload with ?force replace a published version (still verified) [$ALLOW_OVERWRITE]", DefaultValueFactory = _ => EnvFlag("ALLOW_OVERWRITE") };
        var disableDelete = new Option<bool>("--disable-delete") { Description = "Refuse DELETE /api/charts/NAME/VERSION [$DISABLE_DELETE]", DefaultValueFactory = _ => EnvFlag("DISABLE_DELETE") };
        var contextPath = new Option<string>("--context-path") { Description = "Serve every route under this path prefix, e.g. /charts [$CONTEXT_PATH]", DefaultValueFactory = _ => Env("CONTEXT_PATH") ?? "" };
        var rootFingerprint = new Option<string?>("--root-fingerprint") { Description = "The repository's root key (default: the root its trust material declares, pinned at first use)" };
        var maxUpload = new Option<long>("--max-upload-size") { Description = "Largest upload in bytes [$MAX_UPLOAD_SIZE]", DefaultValueFactory = _ => EnvSize("MAX_UPLOAD_SIZE") ?? 20L * 1024 * 1024 };
        var writesPerMinute = new Option<int>("--writes-per-minute") { Description = "Writes allowed per token, user (or client address) per minute", DefaultValueFactory = _ => 120 };
        // Named as users type it ("chartseal serve"), not after this program's file.
        var command = new Command("serve", "Serve a chart repository over HTTP: index.yaml, charts, .prov files, trust material, and a ChartMuseum-compatible upload API that refuses untrusted charts.")
        {
            dir, listen, tokenFile, basicUser, basicPass, htpasswd, anonymous, allowOverwrite, disableDelete, contextPath,
            rootFingerprint, maxUpload, writesPerMinute, new System.CommandLine.Help.HelpOption(),
        };
        command.SetAction(async (p, ct) =>
        {
            string repository = Path.GetFullPath(p.GetValue(dir)!);
            IReadOnlyList<string> tokens = p.GetValue(tokenFile) is { } file ? await WriteAccess.ReadTokenFileAsync(file, ct) : [];
            var users = await BasicAuthUsers.LoadAsync(p.GetValue(basicUser), p.GetValue(basicPass), p.GetValue(htpasswd), ct);
            var options = new ServerOptions
            {
                RepositoryDir = repository,
                Listen = p.GetValue(listen)!,
                UploadTokens = tokens,
                BasicAuth = users,
                AllowAnonymousUpload = p.GetValue(anonymous),
                AllowOverwrite = p.GetValue(allowOverwrite),
                DisableDelete = p.GetValue(disableDelete),
                ContextPath = ServerOptions.NormalizeContextPath(p.GetValue(contextPath)!),
                Root = p.GetValue(rootFingerprint) is { } fpr ? new PinnedRoot(fpr) : null,
                TrustState = TrustStateStore.Default(),
                MaxUploadBytes = p.GetValue(maxUpload),
                WritesPerMinute = p.GetValue(writesPerMinute),
            };
            await using var server = await RepositoryServer.StartAsync(options, ct);
            PrintBanner(options, server.RepositoryUrl);
            await server.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    // What a newcomer needs next, on stderr (stdout carries the JSON log).
    private static void PrintBanner(ServerOptions options, Uri address)
    {
        var e = Console.Error;
        string url = address.ToString().TrimEnd('/');
        string dir = options.RepositoryDir;
        e.WriteLine($"Serving {dir} at {url}/index.yaml");
        bool tokens = options.UploadTokens.Count > 0, users = options.BasicAuth.Count > 0;
        e.WriteLine(tokens && users ? "Uploads: require Authorization: Bearer TOKEN (from the token file) or a Basic user (curl -u USER:PASSWORD)."
            : tokens ? "Uploads: require Authorization: Bearer TOKEN (from the token file)."
            : users ? "Uploads: require a Basic user (curl -u USER:PASSWORD, helm cm-push --username --password)."
            : options.AllowAnonymousUpload ? "Uploads: open to anyone (--allow-anonymous-upload); each is still verified against the trust material."
            : "Uploads: refused (start with --upload-token-file FILE, --basic-auth-user or --htpasswd-file FILE to accept them).");
        if (!File.Exists(Path.Combine(dir, TrustFiles.ManifestName)))
        {
            e.WriteLine("The repository has no trust material yet. Initialise it (the root key stays offline):");
            e.WriteLine("  chartseal key generate --name \"Root <root@example.com>\" --out root --expires 0");
            e.WriteLine($"  chartseal trust init {dir} --root-key root@example.com --root-keyring root.sec.asc");
            e.WriteLine($"  chartseal trust add {dir} maintainer.pub.asc --root-key root@example.com --root-keyring root.sec.asc");
        }
        e.WriteLine("Upload a signed chart:");
        string auth = !tokens && users ? "-u USER:PASSWORD" : "-H \"Authorization: Bearer $TOKEN\"";
        e.WriteLine($"  curl {auth} -F chart=@mysql-1.2.3.tgz -F prov=@mysql-1.2.3.tgz.prov {url}/api/charts");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    // As ChartMuseum reads its boolean variables (Go's strconv.ParseBool).
    private static bool EnvFlag(string name) => Env(name) switch
    {
        null => false,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        { } other => throw new ChartsealException(null, $"{name}={other}: not a boolean (true or false)"),
    };

    private static long? EnvSize(string name) => Env(name) switch
    {
        null => null,
        { } value when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) && bytes > 0 => bytes,
        { } other => throw new ChartsealException(null, $"{name}={other}: not a size in bytes"),
    };
}
