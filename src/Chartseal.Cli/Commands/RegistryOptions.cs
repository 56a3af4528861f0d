using System.CommandLine;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Oci;

namespace Chartseal.Cli.Commands;

/// <summary>
/// How a command reaches an OCI registry, in Helm's words: <c>--plain-http</c> (the one transport consent,
/// <see cref="TransportOption"/>), the TLS settings <c>--ca-file</c>, <c>--cert-file</c>/<c>--key-file</c> (a client
/// certificate, for a registry that requires mutual TLS) and <c>--insecure-skip-tls-verify</c>, and
/// <c>--username</c>/<c>--password</c> (otherwise Helm's registry config, then Docker's <c>config.json</c>, as
/// <c>helm registry login</c> and <c>docker login</c> leave them; for an http(s) URL, HTTP Basic auth to its own scheme,
/// host and port, otherwise what <c>repo add</c> recorded for it).
/// </summary>
internal sealed class RegistryOptions
{
    /// <summary>The options, sharing the command's existing <paramref name="plainHttp"/> option when it has one.</summary>
    /// <param name="plainHttp">The command's existing plain-HTTP option, if it has one.</param>
    /// <param name="credentials">Whether to offer <c>--username</c> and <c>--password</c>.</param>
    /// <param name="writes">A command that writes to the registry and has no <c>--timeout</c> of its own: add one that counts only when given (<see cref="TimeoutOption.CreateForWrites"/>).</param>
    /// <param name="passwordStdin">Whether to offer <c>--password-stdin</c> too (a command that reads nothing else from standard input).</param>
    public RegistryOptions(Option<bool>? plainHttp = null, bool credentials = true, bool writes = false, bool passwordStdin = false)
    {
        PlainHttp = plainHttp ?? TransportOption.Create("Allow a plain http:// URL, or talk plain HTTP to an oci:// registry");
        OwnsPlainHttp = plainHttp is null;
        Credentials = credentials;
        OffersPasswordStdin = credentials && passwordStdin;
        Timeout = writes ? TimeoutOption.CreateForWrites() : null;
    }

    public Option<bool> PlainHttp { get; }

    public Option<string?> CaFile { get; } = new("--ca-file") { Description = "For an oci:// registry or an https URL: verify its TLS certificate with these CA certificates (PEM) instead of the system roots" };

    public Option<string?> CertFile { get; } = new("--cert-file") { Description = "For an oci:// registry or an https URL that requires mutual TLS: present this TLS client certificate (PEM)" };

    public Option<string?> KeyFile { get; } = new("--key-file") { Description = "The client certificate's private key (PEM)" };

    public Option<bool> InsecureSkipTlsVerify { get; } = new("--insecure-skip-tls-verify") { Description = "For an oci:// registry or an https URL: do not check its TLS certificate (signatures still decide what is trusted)" };

    public Option<string?> Username { get; } = new("--username") { Description = "User name: for an oci:// registry (default: Helm's registry config, then Docker's config.json), or for HTTP Basic auth to an https URL" };

    public Option<string?> Password { get; } = new("--password") { Description = "Its password or token (with --username)" };

    public Option<bool> PasswordStdin { get; } = new("--password-stdin") { Description = "Read the password from standard input (with --username)" };

    /// <summary>Helm's <c>--pass-credentials</c>, offered with <c>--password-stdin</c>: send them to an http(s) repository's chart URLs on other hosts too.</summary>
    public Option<bool> PassCredentials { get; } = new("--pass-credentials") { Description = "Send the credentials to chart URLs on other hosts too (by default only to the repository's own scheme, host and port)" };

    /// <summary>The writes' <c>--timeout</c>, or null when the command has its own deadline.</summary>
    public Option<string?>? Timeout { get; }

    private bool OwnsPlainHttp { get; }

    // Started once per command run: every client built for it shares the one deadline.
    private FetchDeadline? _writesDeadline;

    private bool Credentials { get; }

    private bool OffersPasswordStdin { get; }

    // Read once per command run, before the first client is built (--password-stdin).
    private string? _stdinPassword;

    public void AddTo(Command command)
    {
        if (OwnsPlainHttp)
        {
            command.Options.Add(PlainHttp);
        }
        command.Options.Add(CaFile);
        command.Options.Add(CertFile);
        command.Options.Add(KeyFile);
        command.Options.Add(InsecureSkipTlsVerify);
        command.Validators.Add(r =>
        {
            if ((r.GetValue(CertFile) is null) != (r.GetValue(KeyFile) is null))
            {
                r.AddError("--cert-file and --key-file go together");
            }
        });
        if (Timeout is not null)
        {
            command.Options.Add(Timeout);
        }
        if (Credentials)
        {
            command.Options.Add(Username);
            command.Options.Add(Password);
            if (OffersPasswordStdin)
            {
                command.Options.Add(PasswordStdin);
                command.Options.Add(PassCredentials);
            }
            command.Validators.Add(r =>
            {
                bool user = r.GetValue(Username) is not null, password = r.GetValue(Password) is not null, stdin = OffersPasswordStdin && r.GetValue(PasswordStdin);
                if (password && stdin)
                {
                    r.AddError("give only one of --password and --password-stdin");
                }
                else if (!OffersPasswordStdin && user != password)
                {
                    r.AddError("--username and --password go together");
                }
                else if (user && !password && !stdin)
                {
                    r.AddError("--username needs --password or --password-stdin");
                }
                else if (!user && (password || stdin))
                {
                    r.AddError("--password and --password-stdin go with --username");
                }
                else if (!user && OffersPasswordStdin && r.GetValue(PassCredentials))
                {
                    r.AddError("--pass-credentials goes with --username");
                }
            });
        }
    }

    /// <summary>The transport rules for an http(s) URL; every download stops at <paramref name="deadline"/> when given.</summary>
    public FetchPolicy Policy(ParseResult p, FetchDeadline? deadline = null) => new(p.GetValue(PlainHttp)) { Deadline = deadline };

    /// <summary>The TLS settings given: <c>--ca-file</c>, <c>--cert-file</c>/<c>--key-file</c>, <c>--insecure-skip-tls-verify</c>.</summary>
    public TlsSettings Tls(ParseResult p) => new()
    {
        CaFile = p.GetValue(CaFile),
        CertFile = p.GetValue(CertFile),
        KeyFile = p.GetValue(KeyFile),
        InsecureSkipVerify = p.GetValue(InsecureSkipTlsVerify),
    };

    /// <summary>
    /// The registry client options: plain HTTP only when allowed, the TLS settings, the credentials given (or Helm's and
    /// Docker's), and the command's deadline when given.
    /// </summary>
    public OciRegistryOptions Build(ParseResult p, FetchDeadline? deadline = null)
    {
        var credentials = RegistryCredentials.FromEnvironment();
        if (Credentials && p.GetValue(Username) is { } user)
        {
            credentials = credentials.WithUser(user, PasswordOf(p));
        }
        if (deadline is null && Timeout is not null)
        {
            deadline = _writesDeadline ??= TimeoutOption.StartIfGiven(p, Timeout);
        }
        return new OciRegistryOptions { PlainHttp = p.GetValue(PlainHttp), Tls = Tls(p), Credentials = credentials, Deadline = deadline };
    }

    /// <summary>
    /// <see cref="Build"/> for the registry of <paramref name="location"/>: an <c>oci://</c> namespace added with
    /// <c>repo add</c> gets its recorded TLS settings (unless TLS flags are given, which take their place) and plain HTTP,
    /// as an http(s) URL gets its recorded ones (<see cref="OpenAsync"/>).
    /// </summary>
    public async Task<OciRegistryOptions> BuildForAsync(ParseResult p, string location, FetchDeadline? deadline, CancellationToken ct)
    {
        await ReadPasswordAsync(p, ct);
        return BuildFor(p, OciRepositorySource.IsOciLocation(location) ? await ConfiguredAsync(location, ct) : null, deadline);
    }

    /// <summary>
    /// The source for a folder, an http(s) URL or an <c>oci://</c> namespace, its downloads bounded by <paramref name="deadline"/>.
    /// A URL or namespace added with <c>repo add</c> gets its recorded credentials and TLS settings; the TLS flags given
    /// (<see cref="Tls"/>) take the place of the recorded ones, and so do the credentials given.
    /// </summary>
    /// <exception cref="ChartsealException">A refused URL, an unreadable CA or client certificate file, credentials that cannot be sent.</exception>
    public async Task<RepositorySource> OpenAsync(ParseResult p, string location, FetchDeadline? deadline, CancellationToken ct)
    {
        if (WithoutCredentials(location) is { } shown)
        {
            throw new ChartsealException(shown, CredentialsInUrl(OffersPasswordStdin ? "--password-stdin (or --password)" : "--password"));
        }
        await ReadPasswordAsync(p, ct);
        ConfiguredRepository? configured = await ConfiguredAsync(location, ct);
        FetchPolicy policy = Policy(p, deadline);
        if (OciRepositorySource.IsOciLocation(location))
        {
            OciRegistryOptions registry = BuildFor(p, configured, deadline);
            return RepositorySource.Open(location, policy with { AllowPlainHttp = registry.PlainHttp }, registry);
        }
        if (configured is not null)
        {
            policy = configured.WithTransport(policy);
        }
        // A URL that cannot be parsed gets no credentials: the source refuses it, naming it.
        if (Credentials && p.GetValue(Username) is { } user && Uri.TryCreate(location.TrimEnd('/') + "/", UriKind.Absolute, out Uri? origin))
        {
            string password = PasswordOf(p);
            BasicCredentials.Check(user, password);
            policy = policy with { Credentials = new BasicCredentials(user, password, origin) { PassToAllHosts = OffersPasswordStdin && p.GetValue(PassCredentials) } };
        }
        return RepositorySource.Open(location, policy with { Tls = TlsFor(p, configured) }, Build(p, deadline));
    }

    /// <summary>
    /// <paramref name="location"/> (an http(s) URL or an <c>oci://</c> reference) without the user name and password written
    /// into it (<c>https://USER:PASSWORD@HOST/…</c>), to name it in a refusal; null when it holds none. Such a URL is
    /// refused: its credentials would not be sent (only <c>--username</c> and its password are, to the URL's own scheme,
    /// host and port), and the URL is printed in messages and recorded by <c>repo add</c>.
    /// </summary>
    public static string? WithoutCredentials(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (OciRepositorySource.IsOciLocation(location))
        {
            return OciReference.WithoutUserInfo(location);
        }
        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !RepositorySource.IsRemoteLocation(location))
        {
            return null;
        }
        int start = scheme + 3;
        int end = location.IndexOfAny(['/', '?', '#'], start);
        int at = (end < 0 ? location[start..] : location[start..end]).LastIndexOf('@');
        return at < 0 ? null : location[..start] + location[(start + at + 1)..];
    }

    /// <summary>Why a URL with a user name or password in it is refused (<see cref="WithoutCredentials"/>), and what to give instead.</summary>
    /// <param name="password">The command's ways to give the password, e.g. <c>--password-stdin</c>.</param>
    public static string CredentialsInUrl(string password) =>
        $"a user name or password in the URL is neither sent nor printed: give --username USER with {password}, which go only to the URL's own scheme, host and port";

    /// <summary>Helm's <c>--password-stdin</c>: the whole of standard input, without the final line break.</summary>
    public static async Task<string> ReadPasswordFromStdinAsync(CancellationToken ct)
    {
        using var reader = new StreamReader(Console.OpenStandardInput());
        string text = await reader.ReadToEndAsync(ct);
        text = text.EndsWith('\n') ? text[..^1] : text;
        return text.EndsWith('\r') ? text[..^1] : text;
    }

    // Standard input is read once, before the first client is built.
    private async Task ReadPasswordAsync(ParseResult p, CancellationToken ct)
    {
        if (OffersPasswordStdin && p.GetValue(PasswordStdin) && _stdinPassword is null)
        {
            _stdinPassword = await ReadPasswordFromStdinAsync(ct);
        }
    }

    // The password given with --username: --password, or what --password-stdin read.
    private string PasswordOf(ParseResult p) =>
        p.GetValue(Password) ?? _stdinPassword ?? throw new InvalidOperationException("--password-stdin is read before a client is built");

    // The registry options with what repo add recorded for the namespace, when it did.
    private OciRegistryOptions BuildFor(ParseResult p, ConfiguredRepository? configured, FetchDeadline? deadline)
    {
        OciRegistryOptions options = Build(p, deadline);
        return configured is null ? options : options with { Tls = TlsFor(p, configured), PlainHttp = options.PlainHttp || configured.InsecureHttp };
    }

    // The TLS flags given, else what repo add recorded for the repository (said once when its certificate goes unchecked).
    private TlsSettings TlsFor(ParseResult p, ConfiguredRepository? configured)
    {
        TlsSettings given = Tls(p);
        if (configured is null || !given.IsDefault)
        {
            return given;
        }
        TransportNotes.Note(configured);
        return configured.Tls;
    }

    // The repository added with repo add for an http(s) URL or an oci:// namespace, or null (a folder, or not added).
    private static async Task<ConfiguredRepository?> ConfiguredAsync(string location, CancellationToken ct)
    {
        bool oci = OciRepositorySource.IsOciLocation(location);
        if (!oci && !FetchPolicy.IsUrl(location))
        {
            return null;
        }
        var config = await RepositoryConfigFile.LoadAsync(ClientHome.Default().ConfigFile, ct);
        return oci
            ? OciReference.TryParse(location, out OciReference? reference, out _) ? config.FindNamespace(reference) : null
            : config.FindUrl(location);
    }
}
