using System.CommandLine;
using Chartseal.Trust;

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
        var anonymous = new Option<bool>("--allow-anonymous-upload") { Description = "Accept writes without a token (only when no token file is given)" };
        var rootFingerprint = new Option<string?>("--root-fingerprint") { Description = "The repository's root key (default: the root its trust material declares, pinned at first use)" };
        var maxUpload = new Option<long>("--max-upload-size") { Description = "Largest upload in bytes", DefaultValueFactory = _ => 20L * 1024 * 1024 };
        var writesPerMinute = new Option<int>("--writes-per-minute") { Description = "Writes allowed per token (or client address) per minute", DefaultValueFactory = _ => 120 };
        // Named as users type it ("chartseal serve"), not after this program's file.
        var command = new Command("serve", "Serve a chart repository over HTTP: index.yaml, charts, .prov files, trust material, and a ChartMuseum-compatible upload API that refuses untrusted charts.")
        {
            dir, listen, tokenFile, anonymous, rootFingerprint, maxUpload, writesPerMinute, new System.CommandLine.Help.HelpOption(),
        };
        command.SetAction(async (p, ct) =>
        {
            string repository = Path.GetFullPath(p.GetValue(dir)!);
            IReadOnlyList<string> tokens = p.GetValue(tokenFile) is { } file ? await WriteAccess.ReadTokenFileAsync(file, ct) : [];
            var options = new ServerOptions
            {
                RepositoryDir = repository,
                Listen = p.GetValue(listen)!,
                UploadTokens = tokens,
                AllowAnonymousUpload = p.GetValue(anonymous),
                Root = p.GetValue(rootFingerprint) is { } fpr ? new PinnedRoot(fpr) : null,
                TrustState = TrustStateStore.Default(),
                MaxUploadBytes = p.GetValue(maxUpload),
                WritesPerMinute = p.GetValue(writesPerMinute),
            };
            await using var server = await RepositoryServer.StartAsync(options, ct);
            PrintBanner(options, server.Address);
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
        e.WriteLine(options.UploadTokens.Count > 0 ? "Uploads: require Authorization: Bearer TOKEN (from the token file)."
            : options.AllowAnonymousUpload ? "Uploads: open to anyone (--allow-anonymous-upload); each is still verified against the trust material."
            : "Uploads: refused (start with --upload-token-file FILE to accept them).");
        if (!File.Exists(Path.Combine(dir, TrustFiles.ManifestName)))
        {
            e.WriteLine("The repository has no trust material yet. Initialise it (the root key stays offline):");
            e.WriteLine("  chartseal key generate --name \"Root <root@example.com>\" --out root --expires 0");
            e.WriteLine($"  chartseal trust init {dir} --root-key root@example.com --root-keyring root.sec.asc");
            e.WriteLine($"  chartseal trust add {dir} maintainer.pub.asc --root-key root@example.com --root-keyring root.sec.asc");
        }
        e.WriteLine("Upload a signed chart:");
        e.WriteLine($"  curl -H \"Authorization: Bearer $TOKEN\" -F chart=@mysql-1.2.3.tgz -F prov=@mysql-1.2.3.tgz.prov {url}/api/charts");
    }
}
