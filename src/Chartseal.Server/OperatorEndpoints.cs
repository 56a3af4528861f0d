using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Chartseal.Server;

/// <summary>
/// What an operator runs the server with: a request id on every request (<see cref="RequestIdContextFactory"/>),
/// <c>/ready</c> (<see cref="ServerStatus"/>), and <c>/metrics</c> in Prometheus text: the meter of
/// <see cref="ServerMetrics"/> and ASP.NET Core's own (<c>http.server.request.duration</c> by route and status,
/// Kestrel's connections), through OpenTelemetry's exporter (NativeAOT-compatible, no reflection).
/// </summary>
internal static class OperatorEndpoints
{
    /// <summary>The server's version as built (<c>1.0.0+COMMIT</c>).</summary>
    public static readonly string? Version = typeof(OperatorEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>ASP.NET Core's meters exported beside the server's own.</summary>
    public static readonly string[] AspNetCoreMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>Registers the request ids and, unless disabled, the metrics exporter.</summary>
    public static void AddServices(WebApplicationBuilder builder, ServerOptions options)
    {
        builder.Services.AddSingleton<IHttpContextFactory>(services => new RequestIdContextFactory(services));
        if (options.DisableMetrics)
        {
            return;
        }
        builder.Services.AddOpenTelemetry()
            // target_info says which build serves (version and commit), for dashboards across a roll-out.
            .ConfigureResource(resource => resource.AddService("chartseal-server", serviceVersion: Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([ServerMetrics.MeterName, .. AspNetCoreMeters]);
                // Meters are found by name in the whole process: take only this server's (made by its own meter
                // factory), so that two servers in one process (tests) never export each other's series.
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, provider) =>
                {
                    var own = services.GetRequiredService<IMeterFactory>();
                    provider.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
                });
                // Each scrape reads the current values: counters must move with the request just answered.
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            });
    }

    /// <summary>
    /// Gives a request for one of the repository's files (an archive, a <c>.prov</c>, a trust file) its file route
    /// (<see cref="RepositoryFiles.RouteOf"/>) as <c>http.route</c> of ASP.NET Core's request metric: downloads are a
    /// repository's main traffic, and without it they share one route-less series with every unknown path.
    /// </summary>
    public static void UseFileRoutes(WebApplication app) => app.Use(async (context, next) =>
    {
        await next(context).ConfigureAwait(false);
        // After the rest of the pipeline: the path as served (ChartMuseum's /charts/NAME-VERSION.tgz is rewritten to
        // the file), and only without an endpoint, whose own route ASP.NET Core reports.
        if (context.GetEndpoint() is null && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && context.Request.Path.Value is { Length: > 1 } path && path.LastIndexOf('/') == 0
            && RepositoryFiles.RouteOf(path[1..]) is { } route)
        {
            context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new("http.route", route));
        }
    });

    /// <summary>
    /// Makes the exporter's meter provider now (the host would make it only when it starts), so that it listens to the
    /// server's instruments from their creation on: the zeros <see cref="ServerMetrics"/> records at once are kept.
    /// </summary>
    public static void ListenFromNow(WebApplication app) => _ = app.Services.GetService<MeterProvider>();

    /// <summary>Maps <c>/ready</c> and (unless disabled) <c>/metrics</c>; the caller's context path applies to both.</summary>
    public static void Map(WebApplication app, ServerOptions options, ServerStatus status)
    {
        app.MapMethods("/ready", ["GET", "HEAD"], (RequestDelegate)(async context =>
        {
            var report = await status.CheckAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.CacheControl = "no-store";
            if (report.Problem is { } problem)
            {
                await ApiJson.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "not-ready", problem).ConfigureAwait(false);
                return;
            }
            await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("ready", true);
                json.WriteNumber("trustVersion", report.Trust!.Version);
                json.WriteString("trustExpires", Trust.TrustManifest.FormatTime(report.Trust.Manifest.Expires));
                json.WriteNumber("indexEntries", report.IndexEntries ?? 0);
                if (report.Snapshot is { } snapshot)
                {
                    json.WriteNumber("snapshotVersion", snapshot.Version);
                    json.WriteString("snapshotExpires", Trust.TrustManifest.FormatTime(snapshot.Expires));
                }
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }));
        if (options.DisableMetrics)
        {
            return;
        }
        // The trust and index gauges are read from the status: bring it up to date before the exporter collects.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            await status.CheckAsync(context.RequestAborted).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
        }), optionsName: null);
    }
}
