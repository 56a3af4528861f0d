using Chartseal.Repository;
using Chartseal.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>
/// ChartMuseum's API, so that existing clients (helm cm-push, CI scripts) work unchanged. Every write goes through
/// <see cref="ChartPublisher"/>, the same gate as <c>chartseal publish</c>; a refused write changes nothing.
/// </summary>
internal sealed class ChartApi(ServerOptions options, IndexFile index, WriteAccess access, ILogger logger)
{
    private PinnedRoot? _root = options.Root;

    // Uploads buffer their body (up to --max-upload-size) and verify it: a few at a time keeps memory bounded
    // however many clients send at once (the others wait, holding only a connection, until the request timeout).
    private readonly SemaphoreSlim _uploadSlots = new(Math.Max(2, 2 * Environment.ProcessorCount));

    /// <summary>The writes (the caller adds rate limiting to the group).</summary>
    public RouteGroupBuilder Map(IEndpointRouteBuilder app)
    {
        var writes = app.MapGroup("/api");
        writes.MapPost("/charts", (RequestDelegate)UploadAsync);
        writes.MapPost("/prov", (RequestDelegate)ReplaceProvenanceAsync);
        writes.MapDelete("/charts/{name}/{version}", (RequestDelegate)DeleteAsync);
        return writes;
    }

    /// <summary>The reads: the index as JSON, by chart and by version.</summary>
    public RouteGroupBuilder MapReads(IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/api");
        reads.MapGet("/charts", (RequestDelegate)ListAsync);
        reads.MapGet("/charts/{name}", (RequestDelegate)VersionsAsync);
        reads.MapGet("/charts/{name}/{version}", (RequestDelegate)VersionAsync);
        return reads;
    }

    private async Task ListAsync(HttpContext context)
    {
        var entries = (await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Parsed.Entries;
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            foreach (var (name, versions) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                json.WriteStartArray();
                foreach (var entry in versions)
                {
                    ChartIndex.WriteEntryJson(json, entry);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task VersionsAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        var entries = (await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Parsed.Entries;
        if (!entries.TryGetValue(name, out var versions) || versions.Count == 0)
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"no chart named {name}").ConfigureAwait(false);
            return;
        }
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartArray();
            foreach (var entry in versions)
            {
                ChartIndex.WriteEntryJson(json, entry);
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private async Task VersionAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        string version = (string)context.Request.RouteValues["version"]!;
        var parsed = (await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Parsed;
        // ChartMuseum's "latest": the index keeps each chart's versions newest first.
        var entry = version == "latest"
            ? (parsed.Entries.TryGetValue(name, out var versions) ? versions.FirstOrDefault() : null)
            : parsed.Find(name, version);
        if (entry is null)
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"no chart {name} {version}").ConfigureAwait(false);
            return;
        }
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json => ChartIndex.WriteEntryJson(json, entry)).ConfigureAwait(false);
    }

    private Task UploadAsync(HttpContext context) => AuthorizedUploadAsync(context, "upload", UploadAuthorizedAsync);

    // Checks the token, then runs the write in one of the upload slots.
    private async Task AuthorizedUploadAsync(HttpContext context, string operation, Func<HttpContext, Task> write)
    {
        if (!await AuthorizedAsync(context, operation).ConfigureAwait(false))
        {
            return;
        }
        await _uploadSlots.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            await write(context).ConfigureAwait(false);
        }
        finally
        {
            _uploadSlots.Release();
        }
    }

    private async Task UploadAuthorizedAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await RefuseAsync(context, "upload", StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(),
                "send multipart/form-data with the fields chart and prov").ConfigureAwait(false);
            return;
        }
        if (await ReadFormAsync(context, "upload").ConfigureAwait(false) is not { } form)
        {
            return;
        }
        if (form.Files.GetFile("chart") is not { } chart)
        {
            await RefuseAsync(context, "upload", StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "the multipart field 'chart' is missing").ConfigureAwait(false);
            return;
        }
        byte[] archive = await ReadAsync(chart, context.RequestAborted).ConfigureAwait(false);
        byte[]? provenance = form.Files.GetFile("prov") is { } prov ? await ReadAsync(prov, context.RequestAborted).ConfigureAwait(false) : null;
        var upload = new ChartUpload(Path.GetFileName(chart.FileName), archive, provenance);

        await RunGateAsync(context, "upload", upload.FileName,
            root => ChartPublisher.PublishAsync(upload, new PublishOptions(options.RepositoryDir, root), options.TrustState, Now, context.RequestAborted),
            (entry, signer) => ServerLog.Published(logger, entry.Metadata.Name, entry.Metadata.Version, signer, Client(context))).ConfigureAwait(false);
    }

    // ChartMuseum's POST /api/prov: a new .prov for a published version (re-signing after a key was revoked).
    // The body is multipart with the field prov, or the .prov itself.
    private Task ReplaceProvenanceAsync(HttpContext context) => AuthorizedUploadAsync(context, "provenance upload", ReplaceProvenanceAuthorizedAsync);

    private async Task ReplaceProvenanceAuthorizedAsync(HttpContext context)
    {
        byte[] provenance;
        string sourceName;
        if (context.Request.HasFormContentType)
        {
            if (await ReadFormAsync(context, "provenance upload").ConfigureAwait(false) is not { } form)
            {
                return;
            }
            if (form.Files.GetFile("prov") is not { } prov)
            {
                await RefuseAsync(context, "provenance upload", StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "the multipart field 'prov' is missing").ConfigureAwait(false);
                return;
            }
            provenance = await ReadAsync(prov, context.RequestAborted).ConfigureAwait(false);
            sourceName = Path.GetFileName(prov.FileName) is { Length: > 0 } fileName ? fileName : "prov";
        }
        else
        {
            try
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                provenance = buffer.ToArray();
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await RefuseAsync(context, "provenance upload", e.StatusCode, "too-large", $"the upload is larger than {options.MaxUploadBytes} bytes").ConfigureAwait(false);
                return;
            }
            sourceName = "request body";
        }

        await RunGateAsync(context, "provenance upload", sourceName,
            root => ProvenanceReplacement.ReplaceAsync(options.RepositoryDir, root, provenance, sourceName, options.TrustState, Now, context.RequestAborted),
            (entry, signer) => ServerLog.ProvenanceReplaced(logger, entry.Metadata.Name, entry.Metadata.Version, signer, Client(context))).ConfigureAwait(false);
    }

    // The one way a write reaches the library's gate: resolve the root, run the gate, answer 201 or the refusal.
    private async Task RunGateAsync(HttpContext context, string operation, string sourceName,
        Func<PinnedRoot, Task<PublishResult>> gate, Action<IndexEntry, string> logAccepted)
    {
        PublishResult result;
        try
        {
            if (await RootAsync(context).ConfigureAwait(false) is not { } root)
            {
                return;
            }
            result = await gate(root).ConfigureAwait(false);
        }
        catch (ChartsealException e)
        {
            await RefuseAsync(context, operation, StatusCodes.Status500InternalServerError, "server-error", e.Message).ConfigureAwait(false);
            return;
        }
        switch (result)
        {
            case PublishResult.Rejected rejected:
                await RefuseAsync(context, operation, StatusFor(rejected.Reason), rejected.Reason.Name(), $"{sourceName}: {rejected.Message}").ConfigureAwait(false);
                return;
            case PublishResult.Published published:
                var entry = published.Entry;
                string signer = published.Decision.Verification.Signer.Fingerprint;
                logAccepted(entry, signer);
                await ApiJson.WriteAsync(context, StatusCodes.Status201Created, json =>
                {
                    json.WriteStartObject();
                    json.WriteBoolean("saved", true);
                    json.WriteString("name", entry.Metadata.Name);
                    json.WriteString("version", entry.Metadata.Version);
                    json.WriteString("digest", entry.Digest);
                    json.WriteString("signer", signer);
                    json.WriteEndObject();
                }).ConfigureAwait(false);
                return;
        }
    }

    private async Task<IFormCollection?> ReadFormAsync(HttpContext context, string operation)
    {
        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(context, operation, e.StatusCode, "too-large", $"the upload is larger than {options.MaxUploadBytes} bytes").ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
        {
            await RefuseAsync(context, operation, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "unreadable multipart body: " + e.Message).ConfigureAwait(false);
        }
        return null;
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (!await AuthorizedAsync(context, "delete").ConfigureAwait(false))
        {
            return;
        }
        string name = (string)context.Request.RouteValues["name"]!;
        string version = (string)context.Request.RouteValues["version"]!;
        if (!await ChartPublisher.RemoveAsync(options.RepositoryDir, name, version, Now, context.RequestAborted).ConfigureAwait(false))
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"no chart {name} {version}").ConfigureAwait(false);
            return;
        }
        ServerLog.Deleted(logger, name, version, Client(context));
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("deleted", true);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// 400 for a malformed request, 404 when a re-signed version is not published, 409 when the version exists,
    /// 422 for every verification and trust reason.
    /// </summary>
    internal static int StatusFor(RejectionReason reason) => reason switch
    {
        RejectionReason.Malformed => StatusCodes.Status400BadRequest,
        RejectionReason.VersionNotFound => StatusCodes.Status404NotFound,
        RejectionReason.VersionExists => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private DateTime Now => options.Clock.GetUtcNow().UtcDateTime;

    private async Task<bool> AuthorizedAsync(HttpContext context, string operation)
    {
        if (access.Refusal(context) is not { } refusal)
        {
            return true;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await RefuseAsync(context, operation, StatusCodes.Status401Unauthorized, "unauthorized", refusal).ConfigureAwait(false);
        return false;
    }

    // The root to check uploads against: the pinned one, else the one the repository declares (pinned from then on).
    private async Task<PinnedRoot?> RootAsync(HttpContext context)
    {
        if (Volatile.Read(ref _root) is { } pinned)
        {
            return pinned;
        }
        try
        {
            var material = await TrustRepository.ReadCurrentAsync(options.RepositoryDir, Now, context.RequestAborted).ConfigureAwait(false);
            var root = new PinnedRoot(material.SignedBy);
            if (Interlocked.CompareExchange(ref _root, root, null) is null)
            {
                ServerLog.PinnedDeclaredRoot(logger, root.Fingerprint);
            }
            return Volatile.Read(ref _root);
        }
        catch (ChartsealException e)
        {
            await RefuseAsync(context, "upload", StatusCodes.Status422UnprocessableEntity, RejectionReason.TrustUnsigned.Name(),
                "the repository has no usable trust material (run chartseal trust init): " + e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private Task RefuseAsync(HttpContext context, string operation, int status, string reason, string message)
    {
        ServerLog.Refused(logger, operation, Client(context), reason, message);
        return ApiJson.ErrorAsync(context, status, reason, message);
    }

    private static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async Task<byte[]> ReadAsync(IFormFile file, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
