using Chartseal.IO;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Chartseal.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Chartseal.Charts;
using Chartseal.Server.Page;
using Chartseal.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Chartseal.Server;

/// <summary>
/// The repository's HTTP server (Kestrel): reads are open to everyone (index.yaml, archives, .prov files, trust
/// material, /health); writes go through the ChartMuseum-compatible API and the same gate as <c>chartseal publish</c>.
/// </summary>
public sealed class RepositoryServer : IAsyncDisposable
{
    private const string WritePolicy = "writes";
    private const string ApiTimeoutPolicy = "api";
    private readonly WebApplication _app;
    private readonly ITimer _expiry;

    private RepositoryServer(WebApplication app, Uri address, string contextPath, ITimer expiry, ServerTls? tls)
    {
        _app = app;
        _expiry = expiry;
        Tls = tls;
        Address = address;
        RepositoryUrl = new Uri(address, contextPath + "/");
    }

    /// <summary>The address the server listens on (with the real port when port 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>The repository's URL: <see cref="Address"/> with the context path, ending in <c>/</c>.</summary>
    public Uri RepositoryUrl { get; }

    /// <summary>The server's TLS certificate and client CAs, or null when it speaks plain http.</summary>
    public ServerTls? Tls { get; }

    /// <summary>The index held in memory (tests count its reads and derived forms).</summary>
    internal IndexFile Index => _app.Services.GetRequiredService<IndexFile>();

    /// <summary>The repository page's report (tests count the versions it judged).</summary>
    internal PageReports PageReports => _app.Services.GetRequiredService<PageReports>();

    /// <summary>
    /// Starts serving. The repository folder is created if missing, unless the server is read-only
    /// (<see cref="ServerOptions.ReadOnly"/>): then it must exist, and nothing is written to it.
    /// </summary>
    /// <exception cref="ChartsealException">The listen address is invalid or in use; the repository or trust-state folder cannot be used.</exception>
    public static async Task<RepositoryServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Read before anything is made or bound: a bad certificate, key or CA file is one line, and nothing listens.
        ServerTls? tls = options.Tls
            ? ServerTls.Load(options.TlsCertFile!, options.TlsKeyFile!, options.TlsCaCertFile, options.Clock, options.TlsCheckInterval)
            : null;
        string repository = Path.GetFullPath(options.RepositoryDir);
        string contextPath = ServerOptions.NormalizeContextPath(options.ContextPath);
        // Read-only (--disable-api without an index key to sign with): no folder made, no lock, no clean-up, no write.
        bool readOnly = options.ReadOnly;
        string? stateInMemory = null;
        if (readOnly)
        {
            RequireRepositoryFolder(repository);
            if (!options.TrustState.CanRecord(out string? cannot))
            {
                string problem = cannot!.TrimEnd('.'); // followed by more of the line
                // Safe only against a root the operator gave (docs/operations.md, "Read-only servers").
                if (options.Root is null)
                {
                    throw new ChartsealException(null, problem + " (a read-only server, --disable-api, keeps its trust state in memory instead only with --root-fingerprint)");
                }
                options = options with { TrustState = options.TrustState.InMemory() };
                stateInMemory = problem;
            }
        }
        else
        {
            CreateRepositoryFolder(repository);
            // Where accepted trust versions are recorded: without it every upload would fail, so say it now.
            options.TrustState.CreateFolder();
            if (options.IndexSigner is not null)
            {
                RequireWritableFolder(repository);
            }
        }
        await CheckPinnedRootAsync(options, repository, cancellationToken).ConfigureAwait(false);
        var app = Build(options with { RepositoryDir = repository, ContextPath = contextPath }, tls);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Chartseal.Server");
        if (tls is not null)
        {
            tls.Reloaded = certificate => ServerLog.TlsCertificateReloaded(logger, tls.CertFile, certificate.Description);
            tls.ClientAuthoritiesReloaded = cas => ServerLog.TlsClientAuthoritiesReloaded(logger, cas.File, cas.Count);
            tls.Problem = problem => ServerLog.TlsProblem(logger, problem);
            if (tls.Current.NotBefore > options.Clock.GetUtcNow().UtcDateTime)
            {
                ServerLog.TlsCertificateNotYetValid(logger, tls.Current.Description);
            }
        }
        if (stateInMemory is not null)
        {
            ServerLog.TrustStateInMemory(logger, stateInMemory);
        }
        if (!readOnly)
        {
            await RemoveInterruptedWritesAsync(repository, logger, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await app.Services.GetRequiredService<SnapshotSigning>().StartAsync(repository, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException or UriFormatException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ChartsealException(options.Listen, "cannot listen: " + e.Message, e);
        }
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ServerLog.Serving(logger, repository, address + contextPath);
        LogSettings(logger, options, contextPath, tls);
        // Whether it is ready, in the log from the start (then at each change a probe or a scrape finds).
        await app.Services.GetRequiredService<ServerStatus>().CheckAsync(cancellationToken).ConfigureAwait(false);
        // Held upload halves are dropped when they expire even if no upload comes to trigger it.
        var staging = app.Services.GetRequiredService<UploadStaging>();
        var expiry = options.Clock.CreateTimer(_ => staging.RemoveExpired(options.Clock.GetUtcNow().UtcDateTime), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        return new RepositoryServer(app, new Uri(address), contextPath, expiry, tls);
    }

    /// <summary>Completes when the server is asked to stop (Ctrl-C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting requests and finishes those in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        _expiry.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static WebApplication Build(ServerOptions options, ServerTls? tls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = options.RepositoryDir });
        builder.WebHost.UseUrls(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (tls is not null)
            {
                // Every endpoint of the (https) listen address: each handshake takes the certificate served now, so a
                // renewed one is picked up without a restart, and with client CAs asks for a client certificate.
                kestrel.ConfigureEndpointDefaults(endpoint =>
                {
                    // Made once per endpoint, not per connection.
                    var refusals = endpoint.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Chartseal.Server");
                    endpoint.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context =>
                        {
                            string client = context.Connection.RemoteEndPoint is System.Net.IPEndPoint ip ? ip.Address.ToString() : "";
                            return ValueTask.FromResult(tls.ForConnection(why => ServerLog.TlsClientRefused(refusals, client, why)));
                        },
                    });
                });
            }
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(75);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.JsonWriterOptions = ApiJson.Options;
            // ASP.NET Core's request scope: RequestId (RequestIdContextFactory), RequestPath, ConnectionId on each line.
            o.IncludeScopes = true;
        });
        if (options.Logs is { } logs)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.Logging.SetMinimumLevel(options.Debug ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", options.Debug ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // A failed start (address in use) is reported once, as chartseal's one-line error, not as a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        // On the API only: index.yaml and /health are answered from memory, and a timer per request would cost
        // them a good part of their throughput (Kestrel's minimum data rates still cut off slow clients).
        var access = new WriteAccess(options.UploadTokens, options.BasicAuth, options.AllowAnonymousUpload);
        WriteAudit? audit = null; // made with the services, before the first request
        builder.Services.AddRequestTimeouts(o => o.AddPolicy(ApiTimeoutPolicy, new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            WriteTimeoutResponse = context =>
            {
                const string message = "the request took too long";
                // A write cut off (a client that stopped sending its upload) is a refused write: audited and counted.
                if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method))
                {
                    audit?.Refused(context, WriteAudit.OperationOf(context.Request), access.RateLimitKey(context), StatusCodes.Status504GatewayTimeout, "timeout", "", "", message);
                }
                // Not with the request's token: it is the one the timeout cancelled, and the answer became a 500.
                return ApiJson.ErrorAsync(context, StatusCodes.Status504GatewayTimeout, "timeout", message, CancellationToken.None);
            },
        }));
        // The form reader has a limit of its own (128 MiB): the server's --max-upload-size is the one that counts.
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = options.MaxUploadBytes);
        OperatorEndpoints.AddServices(builder, options);
        builder.Services.AddSingleton(new UploadStaging(options.Staging ?? StagingLimits.For(options.MaxUploadBytes)));
        builder.Services.AddSingleton(new IndexFile(Path.Combine(options.RepositoryDir, ChartIndex.FileName), options.ContextPath));
        builder.Services.AddSingleton(new RootPin(options));
        builder.Services.AddSingleton(services => new SnapshotSigning(
            options.IndexSigner is { } signer ? new IndexSnapshotKeeper(options.RepositoryDir, signer, options.SnapshotLifetime) : null,
            options.Clock, services.GetRequiredService<ILoggerFactory>().CreateLogger("Chartseal.Server")));
        builder.Services.AddSingleton(services => new ServerStatus(options, services.GetRequiredService<IndexFile>(), services.GetRequiredService<RootPin>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Chartseal.Server")));
        builder.Services.AddSingleton(services => new PageReports(options, services.GetRequiredService<IndexFile>(), services.GetRequiredService<RootPin>(),
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(WritePolicy, context => RateLimitPartition.GetFixedWindowLimiter(access.RateLimitKey(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.WritesPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
            o.OnRejected = (rejected, _) =>
            {
                var context = rejected.HttpContext;
                string message = $"more than {options.WritesPerMinute} writes per minute";
                audit?.Refused(context, WriteAudit.OperationOf(context.Request), access.RateLimitKey(context), StatusCodes.Status429TooManyRequests, "rate-limited", "", "", message);
                return new ValueTask(ApiJson.ErrorAsync(context, StatusCodes.Status429TooManyRequests, "rate-limited", message));
            };
        });

        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("Chartseal.Server");
        var status = app.Services.GetRequiredService<ServerStatus>();
        OperatorEndpoints.ListenFromNow(app);
        var metrics = new ServerMetrics(app.Services.GetRequiredService<IMeterFactory>(), status, app.Services.GetRequiredService<UploadStaging>(), tls);
        audit = new WriteAudit(loggers.CreateLogger(WriteAudit.Category), metrics);

        // Every answer, errors included (they echo the path asked for), is never sniffed into a page nor framed. Set when
        // the answer starts, so that it survives the exception handler's reset; the pages set their own policy first.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.XContentTypeOptions = "nosniff";
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = RepositoryPage.ApiPolicy;
                }
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        // Anything unexpected is a JSON 500 (and logged by the middleware), never a bare error page. A write that ends
        // here is a refused write like any other: audited and counted, with the reason it was answered with.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                var (status, reason, message) = StorageFull.Is(context.Features.Get<IExceptionHandlerFeature>()?.Error)
                    ? (StatusCodes.Status507InsufficientStorage, "insufficient-storage", "the server has no room to store this (disk full, quota or file size limit); the repository is unchanged")
                    : (StatusCodes.Status500InternalServerError, "server-error", "the server could not complete the request");
                if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method))
                {
                    audit?.Refused(context, WriteAudit.OperationOf(context.Request), access.RateLimitKey(context), status, reason, "", "", message);
                }
                return ApiJson.ErrorAsync(context, status, reason, message);
            },
        });
        // Every error without a body of its own (routing's 404 for a file-like path, 405 for a wrong method) is JSON too.
        app.UseStatusCodePages(new StatusCodePagesOptions
        {
            HandleAsync = status => ApiJson.ErrorForStatusAsync(status.HttpContext),
        });

        // Under a context path (ChartMuseum's --context-path), every route lives below it and nothing outside it.
        if (options.ContextPath.Length > 0)
        {
            app.Use((context, next) =>
            {
                if (!context.Request.Path.StartsWithSegments(options.ContextPath, out var rest))
                {
                    return ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found",
                        $"{context.Request.Path} is not in this repository: it is served under {options.ContextPath}/");
                }
                context.Request.PathBase = context.Request.PathBase.Add(options.ContextPath);
                context.Request.Path = rest.HasValue ? rest : "/";
                return next(context);
            });
        }

        // With --require-auth-for-reads, every read needs a writer's credentials (ChartMuseum's habit with basic auth);
        // the probes and /metrics stay open, and writes check their credentials themselves (audited, rate-limited).
        if (options.RequireAuthForReads)
        {
            // Credentials not verified before cost a bcrypt run: they are limited per address as writes are, so that
            // guessing passwords through reads is no faster (and no heavier) than through writes.
            var guesses = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.WritesPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
            app.Use(async (context, next) =>
            {
                var request = context.Request;
                bool open = request.Path.Equals("/health", StringComparison.Ordinal) || request.Path.Equals("/ready", StringComparison.Ordinal)
                    || request.Path.Equals("/metrics", StringComparison.Ordinal);
                bool write = HttpMethods.IsPost(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsPut(request.Method);
                if (!open && !write && request.Headers.Authorization.Count > 0 && access.RateLimitKey(context) is var key
                    && key.StartsWith("address:", StringComparison.Ordinal))
                {
                    using RateLimitLease lease = guesses.AttemptAcquire(key);
                    if (!lease.IsAcquired)
                    {
                        await ApiJson.ErrorAsync(context, StatusCodes.Status429TooManyRequests, "rate-limited", $"more than {options.WritesPerMinute} attempts with unverified credentials per minute").ConfigureAwait(false);
                        return;
                    }
                }
                if (!open && !write && access.Refusal(context, out _) is { } refusal)
                {
                    context.Response.Headers.WWWAuthenticate = access.Challenges;
                    await ApiJson.ErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "this repository requires credentials to read: " + refusal).ConfigureAwait(false);
                    return;
                }
                await next(context).ConfigureAwait(false);
            });
        }

        // First the repository's files (RepositoryFiles says which); index.yaml has its own endpoint (ETag, gzip).
        var types = new FileExtensionContentTypeProvider(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [".tgz"] = "application/gzip",
            [".prov"] = "application/pgp-signature",
            [".pgp"] = "application/pgp-keys",
            [".asc"] = "text/plain; charset=utf-8",
            [".yaml"] = "application/x-yaml", // the content-addressed indexes a snapshot names (index.yaml has its own endpoint)
        });
        OperatorEndpoints.UseFileRoutes(app);
        // Archives and .prov files only when the current index lists them (checked against the index held in memory).
        var index = app.Services.GetRequiredService<IndexFile>();
        var addressed = new AddressedIndexes(options.RepositoryDir);
        var files = new RepositoryFiles(options.RepositoryDir);
        app.Use(async (context, next) =>
        {
            string name = context.Request.Path.Value is { Length: > 1 } p && p.LastIndexOf('/') == 0 ? p[1..] : "";
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                if (await addressed.TryServeAsync(context, name).ConfigureAwait(false) || await CurrentStateFile.TryServeAsync(context, files, types, name).ConfigureAwait(false))
                {
                    return;
                }
                if (RepositoryFiles.IsChartFile(name) && !(await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Lists(name))
                {
                    await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"{name} is not listed in this repository's index.yaml").ConfigureAwait(false);
                    return;
                }
                // ChartMuseum's download path, /charts/NAME-VERSION.tgz(.prov), which its index.yaml lists: a client still
                // holding that index, or a script, gets the same file. Anything else there is a chart's page.
                if (context.Request.Path.StartsWithSegments("/charts", out var rest) && rest.Value is { Length: > 1 } r && r.LastIndexOf('/') == 0
                    && RepositoryFiles.IsChartFile(r[1..]) && (await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Lists(r[1..]))
                {
                    context.Request.Path = rest;
                }
            }
            await next(context).ConfigureAwait(false);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            ServeUnknownFileTypes = false,
            OnPrepareResponse = file =>
            {
                if (RepositoryFiles.IsCurrentState(file.File.Name))
                {
                    file.Context.Response.Headers.CacheControl = "no-cache";
                }
            },
        });
        app.UseRouting();
        app.UseRequestTimeouts();
        app.UseRateLimiter();

        var api = new ChartApi(options, index, access, app.Services.GetRequiredService<UploadStaging>(), audit, app.Services.GetRequiredService<RootPin>(), app.Services.GetRequiredService<SnapshotSigning>(), logger);
        app.MapMethods("/index.yaml", ["GET", "HEAD"], (RequestDelegate)(context => ReadEndpoints.IndexAsync(context, index)));
        // GET and HEAD, as every read (RFC 9110 9.1; a load balancer's check may send HEAD).
        app.MapMethods("/health", ["GET", "HEAD"], (RequestDelegate)(context => ApiJson.WriteAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("healthy", true);
            json.WriteEndObject();
        })));
        if (!options.DisableApi)
        {
            api.Map(app).RequireRateLimiting(WritePolicy).WithRequestTimeout(ApiTimeoutPolicy);
            api.MapReads(app).WithRequestTimeout(ApiTimeoutPolicy);
        }
        // The repository page for people, and its facts as JSON (docs/repository-page.md).
        RepositoryPage.Map(app);
        OperatorEndpoints.Map(app, options, status);
        // No fallback route: an unknown path is routing's 404, a known path with another method its 405, and both are
        // answered as JSON by the status code pages above.
        return app;
    }

    // A writer killed mid-write (kill -9, power loss) leaves a hidden temporary file behind, never a half file under
    // a served name. They are removed at start, under the repository lock so that no live writer's file goes.
    /// <summary>
    /// A pinned root that is not the repository's is refused now, not at the first upload. A repository without trust
    /// material yet is served (uploads are refused until <c>trust init</c>); other trust problems (an expired manifest)
    /// are each upload's to report, as they may be mended while the server runs.
    /// </summary>
    private static async Task CheckPinnedRootAsync(ServerOptions options, string repository, CancellationToken cancellationToken)
    {
        if (options.Root is not { } root || !File.Exists(Path.Combine(repository, Trust.TrustFiles.ManifestName)))
        {
            return;
        }
        DateTime now = options.Clock.GetUtcNow().UtcDateTime;
        var trust = await Client.TrustUpdater.RefreshAsync(new Client.FolderRepositorySource(repository), root, options.TrustState, now, cancellationToken).ConfigureAwait(false);
        if (trust is Trust.TrustResult.Rejected { Reason: RejectionReason.TrustBadSignature or RejectionReason.TrustUnsigned } rejected)
        {
            throw new ChartsealException(repository, $"--root-fingerprint {root.Fingerprint} is not the root of this repository's trust material: {rejected.Message}");
        }
    }

    // What the server was started with, in the log (the banner on stderr is for people at a terminal): what an
    // operator reads after an incident to know who could write and which root was checked.
    private static void LogSettings(ILogger logger, ServerOptions options, string contextPath, ServerTls? tls)
    {
        bool tokens = options.UploadTokens.Count > 0, users = options.BasicAuth.Count > 0;
        string uploads = options.DisableApi ? "off (--disable-api)"
            : tokens && users ? "bearer token or basic user"
            : tokens ? "bearer token"
            : users ? "basic user"
            : options.AllowAnonymousUpload ? "anyone (--allow-anonymous-upload)"
            : "refused (no credentials configured)";
        string reads = options.RequireAuthForReads ? "need a writer's credentials (--require-auth-for-reads)" : "open";
        ServerLog.Settings(logger, reads, uploads,
            options.DisableApi || options.DisableDelete ? "off" : "on",
            options.AllowOverwrite ? "with ?force" : "off",
            options.Root?.Fingerprint ?? "the one the repository declares, pinned at first use",
            options.IndexSigner?.Fingerprint ?? "off",
            options.DisableMetrics ? "off" : contextPath + "/metrics",
            options.MaxUploadBytes, options.WritesPerMinute,
            tls is null ? "off (plain http)"
            : $"certificate {tls.Current.Description} from {tls.CertFile}{(tls.FollowsFiles ? "" : " (a pipe, read once)")}, "
                + (tls.ClientAuthorities is { } cas ? $"client certificates required, issued by one of the {cas.Count} CAs of {cas.File}" : "no client certificate asked for"));
    }

    // A folder that cannot be made (a file in its place, a parent that is a file, no permission) stops the start in one line.
    private static void CreateRepositoryFolder(string repository)
    {
        if (File.Exists(repository))
        {
            throw new ChartsealException(repository, "is a file, not a folder: give the repository folder (created if missing)");
        }
        try
        {
            Directory.CreateDirectory(repository);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChartsealException(repository, "cannot create the repository folder: " + e.Message, e);
        }
    }

    // A read-only server makes nothing: a folder that is not there (a volume not mounted yet) is one line.
    private static void RequireRepositoryFolder(string repository)
    {
        if (File.Exists(repository))
        {
            throw new ChartsealException(repository, "is a file, not a folder: give the repository folder");
        }
        if (!Directory.Exists(repository))
        {
            throw new ChartsealException(repository, "the repository folder does not exist, and a read-only server (--disable-api) does not create it (is its volume mounted?)");
        }
    }

    // The index key's snapshots are written into the folder: one that cannot be written (a read-only volume) stops the
    // start in one line rather than fail at the first signing.
    private static void RequireWritableFolder(string repository)
    {
        if (OutputFolder.WhyNotWritable(repository) is { } why)
        {
            throw new ChartsealException(repository, "--index-key writes the index snapshot into the repository folder, which cannot be written: " + why
                + " (without --index-key, --disable-api serves a read-only folder)");
        }
    }

    private static async Task RemoveInterruptedWritesAsync(string repository, ILogger logger, CancellationToken cancellationToken)
    {
        await using var repositoryLock = await RepositoryLock.AcquireAsync(repository, cancellationToken).ConfigureAwait(false);
        // A trust change a killed writer staged but did not finish: complete it, as the next trust command would.
        await TrustRepository.CompleteInterruptedChangeAsync(repository, cancellationToken).ConfigureAwait(false);
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(repository, ".*.tmp"))
        {
            File.Delete(file);
            removed++;
        }
        if (removed > 0)
        {
            ServerLog.RemovedTemporaryFiles(logger, removed);
        }
    }
}
