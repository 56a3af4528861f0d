using Chartseal.Repository;
using Chartseal.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Provenance;

namespace Chartseal.Server;

/// <summary>
/// ChartMuseum's API, so that existing clients (helm cm-push, CI scripts) work unchanged. Every write goes through
/// <see cref="ChartPublisher"/>, the same gate as <c>chartseal publish</c>; a refused write changes nothing.
/// </summary>
internal sealed class ChartApi(ServerOptions options, IndexFile index, WriteAccess access, UploadStaging staging, WriteAudit audit, RootPin pin, SnapshotSigning snapshots, ILogger logger)
{
    // Who a write comes from before its credentials were accepted (refused with 401, or a 405 before any check).
    private const string Unauthenticated = "unauthenticated";

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

    /// <summary>The reads: the index as JSON, by chart and by version. HEAD answers as GET without the body (ChartMuseum's
    /// HEAD /api/charts/NAME[/VERSION]: does the chart or version exist).</summary>
    public RouteGroupBuilder MapReads(IEndpointRouteBuilder app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        var reads = app.MapGroup("/api");
        reads.MapMethods("/charts", methods, (RequestDelegate)ListAsync);
        reads.MapMethods("/charts/{name}", methods, (RequestDelegate)VersionsAsync);
        reads.MapMethods("/charts/{name}/{version}", methods, (RequestDelegate)VersionAsync);
        return reads;
    }

    // Both answers are built once per version of the index (IndexFile), not per request: they are open to anyone. A page
    // (ChartMuseum's ?offset=N&limit=N, charts in name order) is built per request.
    private async Task ListAsync(HttpContext context)
    {
        if (!TryCount(context.Request, "offset", 0, out int offset) || !TryCount(context.Request, "limit", 1, out int limit))
        {
            string which = TryCount(context.Request, "offset", 0, out _) ? "limit is not a positive integer" : "offset is not a non-negative integer";
            await ApiJson.ErrorAsync(context, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), which).ConfigureAwait(false);
            return;
        }
        var snapshot = await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteBytesAsync(context, StatusCodes.Status200OK, snapshot.ChartsJsonPage(offset, limit)).ConfigureAwait(false);
    }

    // A query parameter that is a whole number of at least min (as Go's strconv.Atoi reads it); absent: 0 for offset, no
    // limit for limit.
    private static bool TryCount(HttpRequest request, string name, int min, out int value)
    {
        value = name == "limit" ? int.MaxValue : 0;
        if (!request.Query.TryGetValue(name, out var values))
        {
            return true;
        }
        return values.Count == 1
            && int.TryParse(values[0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min;
    }

    private async Task VersionsAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        var snapshot = await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        if (snapshot.ChartJson(name) is not { } json)
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"no chart named {name}").ConfigureAwait(false);
            return;
        }
        await ApiJson.WriteBytesAsync(context, StatusCodes.Status200OK, json).ConfigureAwait(false);
    }

    private async Task VersionAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        string version = (string)context.Request.RouteValues["version"]!;
        var parsed = (await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false)).Parsed;
        // As ChartMuseum answers it (Helm's IndexFile.Get): "latest" is the newest stable version; a version not listed
        // exactly is read as a SemVer range.
        var entry = parsed.Get(name, version == "latest" ? null : version);
        if (entry is null)
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"no chart {name} {version}").ConfigureAwait(false);
            return;
        }
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json => ChartIndex.WriteEntryJson(json, entry)).ConfigureAwait(false);
    }

    private Task UploadAsync(HttpContext context) => AuthorizedUploadAsync(context, WriteAudit.Upload, UploadAuthorizedAsync);

    // Checks the credentials, then runs the write in one of the upload slots.
    private async Task AuthorizedUploadAsync(HttpContext context, string operation, Func<HttpContext, string, Task> write)
    {
        if (await AuthorizedAsync(context, operation).ConfigureAwait(false) is not { } writer)
        {
            return;
        }
        await _uploadSlots.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            await write(context, writer).ConfigureAwait(false);
        }
        finally
        {
            _uploadSlots.Release();
        }
    }

    // POST /api/charts, as ChartMuseum takes it: multipart with the fields chart and/or prov, or the archive itself as
    // the body (curl --data-binary). Chart and prov together go straight to the gate; a lone half waits for the other.
    private async Task UploadAuthorizedAsync(HttpContext context, string writer)
    {
        const string operation = WriteAudit.Upload;
        if (!IsMultipart(context.Request))
        {
            if (await ReadBodyAsync(context, operation, writer).ConfigureAwait(false) is not { } body)
            {
                return;
            }
            await RunAsync(context, operation, writer, "request body", null,
                root => staging.SubmitChartAsync(writer, body, "request body", PublishOptionsFor(context, root), options.TrustState, Now, context.RequestAborted)).ConfigureAwait(false);
            return;
        }
        if (await ReadFormAsync(context, operation, writer).ConfigureAwait(false) is not { } form)
        {
            return;
        }
        var chart = form.Files.GetFile("chart");
        var prov = form.Files.GetFile("prov");
        if (chart is null && prov is null)
        {
            await RefuseAsync(context, operation, writer, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(),
                "the multipart fields 'chart' and 'prov' are both missing").ConfigureAwait(false);
            return;
        }
        byte[]? provenance = prov is null ? null : await ReadAsync(prov, context.RequestAborted).ConfigureAwait(false);
        if (chart is null)
        {
            string provName = SourceName(prov!, "prov");
            await RunAsync(context, operation, writer, provName, provenance,
                root => staging.SubmitProvenanceAsync(writer, provenance!, provName, PublishOptionsFor(context, root), options.TrustState, Now, context.RequestAborted)).ConfigureAwait(false);
            return;
        }
        byte[] archive = await ReadAsync(chart, context.RequestAborted).ConfigureAwait(false);
        string chartName = SourceName(chart, "chart");
        if (provenance is null)
        {
            await RunAsync(context, operation, writer, chartName, null,
                root => staging.SubmitChartAsync(writer, archive, chartName, PublishOptionsFor(context, root), options.TrustState, Now, context.RequestAborted)).ConfigureAwait(false);
            return;
        }
        // Named after its own Chart.yaml, as ChartMuseum names it, not after the part's file name.
        await RunAsync(context, operation, writer, chartName, provenance,
            root => staging.SubmitPairAsync(archive, provenance, chartName, PublishOptionsFor(context, root), options.TrustState, Now, context.RequestAborted)).ConfigureAwait(false);
    }

    // ChartMuseum's POST /api/prov: the .prov itself as the body, or multipart with the field prov. It completes a
    // chart held from an earlier request; else it re-signs a published version (after a key was revoked); else it
    // waits for its chart.
    private Task ReplaceProvenanceAsync(HttpContext context) => AuthorizedUploadAsync(context, WriteAudit.ProvenanceUpload, ReplaceProvenanceAuthorizedAsync);

    private async Task ReplaceProvenanceAuthorizedAsync(HttpContext context, string writer)
    {
        const string operation = WriteAudit.ProvenanceUpload;
        byte[] provenance;
        string sourceName;
        if (IsMultipart(context.Request))
        {
            if (await ReadFormAsync(context, operation, writer).ConfigureAwait(false) is not { } form)
            {
                return;
            }
            if (form.Files.GetFile("prov") is not { } prov)
            {
                await RefuseAsync(context, operation, writer, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "the multipart field 'prov' is missing").ConfigureAwait(false);
                return;
            }
            provenance = await ReadAsync(prov, context.RequestAborted).ConfigureAwait(false);
            sourceName = SourceName(prov, "prov");
        }
        else
        {
            if (await ReadBodyAsync(context, operation, writer).ConfigureAwait(false) is not { } body)
            {
                return;
            }
            provenance = body;
            // Named after the archive it claims to sign (unverified, as the audit line's key), so that a refusal says which chart.
            sourceName = ProvenanceReplacement.ClaimedArchiveName(body) is { } claimed ? $"{claimed}.prov (request body)" : "request body";
        }

        await RunAsync(context, operation, writer, sourceName, provenance,
            root => staging.SubmitProvenanceAsync(writer, provenance, sourceName, PublishOptionsFor(context, root), options.TrustState, Now, context.RequestAborted)).ConfigureAwait(false);
    }

    // ?force (ChartMuseum: the key alone; here also ?force=true, and ?force=false means no) replaces a published
    // version only on a server started with --allow-overwrite.
    private static bool ForceRequested(HttpRequest request) =>
        request.Query.TryGetValue("force", out var values) && values.All(v => string.IsNullOrEmpty(v) || !(v is "false" or "0" or "no"));

    private PublishOptions PublishOptionsFor(HttpContext context, PinnedRoot root) =>
        new(options.RepositoryDir, root, Force: options.AllowOverwrite && ForceRequested(context.Request));

    // The one way a write reaches the library's gate: resolve the root, run the step, answer 201, 202 or the refusal.
    // The .prov of the request, when it has one, names the key in a refusal's audit line (unverified).
    private async Task RunAsync(HttpContext context, string operation, string writer, string sourceName, byte[]? provenance, Func<PinnedRoot, Task<StagingResult>> step)
    {
        StagingResult result;
        try
        {
            if (await RootAsync(context, operation, writer, sourceName).ConfigureAwait(false) is not { } root)
            {
                return;
            }
            result = await step(root).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFull.Is(e))
        {
            await InsufficientStorageAsync(context, operation, writer, sourceName, e).ConfigureAwait(false);
            return;
        }
        catch (ChartsealException e)
        {
            await RefuseAsync(context, operation, writer, StatusCodes.Status500InternalServerError, "server-error", e.Message, sourceName).ConfigureAwait(false);
            return;
        }
        switch (result)
        {
            case StagingResult.Done { Result: PublishResult.Rejected rejected }:
                string hint = rejected.Reason == RejectionReason.VersionExists && ForceRequested(context.Request) && !options.AllowOverwrite
                    ? " (?force replaces a version only on a server started with --allow-overwrite)"
                    : "";
                await RefuseAsync(context, operation, writer, StatusFor(rejected.Reason), rejected.Reason.Name(), $"{sourceName}: {rejected.Message}{hint}",
                    sourceName, ClaimedKey(provenance)).ConfigureAwait(false);
                return;
            case StagingResult.Done { Result: PublishResult.Published published } done:
                index.Invalidate();
                if (!done.Resigned)
                {
                    // Answered once a snapshot covers the new index: the uploader's next repo update sees the chart.
                    await snapshots.AfterChangeAsync().ConfigureAwait(false);
                }
                var entry = published.Entry;
                string signer = published.Verdict.Verification.Signer.Fingerprint;
                audit.Accepted(context, operation, done.Resigned ? "resigned" : "published", StatusCodes.Status201Created, writer,
                    entry.Metadata.Name, entry.Metadata.Version, ChartName.ArchiveFileName(entry.Metadata.Name, entry.Metadata.Version), signer);
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
            case StagingResult.Held held:
                audit.Accepted(context, operation, "held", StatusCodes.Status202Accepted, writer, "", "", held.FileName, ClaimedKey(provenance));
                string expires = held.ExpiresAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                await ApiJson.WriteAsync(context, StatusCodes.Status202Accepted, json =>
                {
                    json.WriteStartObject();
                    json.WriteBoolean("saved", false);
                    json.WriteString("held", held.FileName);
                    json.WriteString("waitingFor", held.Missing);
                    json.WriteString("expires", expires);
                    json.WriteString("message", held.Missing == "prov"
                        ? $"{held.FileName} is not published yet: it waits until {expires} for its .prov (POST /api/prov), then both go through the gate"
                        : $"the .prov for {held.FileName} waits until {expires} for its chart (POST /api/charts), then both go through the gate");
                    json.WriteEndObject();
                }).ConfigureAwait(false);
                return;
            case StagingResult.Full full:
                await RefuseAsync(context, operation, writer, StatusCodes.Status507InsufficientStorage, "staging-full", full.Message, sourceName, ClaimedKey(provenance)).ConfigureAwait(false);
                return;
        }
    }

    // The media type itself, not a prefix of it: "multipart/form-datax" is no form (the form reader refuses it), so it is
    // a raw body like any other type.
    private static bool IsMultipart(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    private static string SourceName(IFormFile file, string field) => Path.GetFileName(file.FileName) is { Length: > 0 } name ? name : field;

    // The request body itself (up to --max-upload-size); null when refused (too large, empty).
    private async Task<byte[]?> ReadBodyAsync(HttpContext context, string operation, string writer)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (buffer.Length == 0)
            {
                await RefuseAsync(context, operation, writer, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(),
                    "the request body is empty: send the file itself (curl --data-binary @FILE) or multipart/form-data").ConfigureAwait(false);
                return null;
            }
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(context, operation, writer, e.StatusCode, "too-large", $"the upload is larger than {options.MaxUploadBytes} bytes").ConfigureAwait(false);
            return null;
        }
        catch (BadHttpRequestException e)
        {
            // A broken chunked encoding or a body shorter than its Content-Length: the client's fault, as for a multipart body.
            await RefuseAsync(context, operation, writer, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "unreadable request body: " + e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private async Task<IFormCollection?> ReadFormAsync(HttpContext context, string operation, string writer)
    {
        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(context, operation, writer, e.StatusCode, "too-large", $"the upload is larger than {options.MaxUploadBytes} bytes").ConfigureAwait(false);
        }
        // IOException: the body ends before its declared boundary (or holds none). A full disk while the form is
        // buffered is not the client's fault: the server's 507.
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException || (e is IOException && !StorageFull.Is(e)))
        {
            await RefuseAsync(context, operation, writer, StatusCodes.Status400BadRequest, RejectionReason.Malformed.Name(), "unreadable multipart body: " + e.Message).ConfigureAwait(false);
        }
        return null;
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (options.DisableDelete)
        {
            context.Response.Headers.Allow = "GET";
            await RefuseAsync(context, WriteAudit.Delete, Unauthenticated, StatusCodes.Status405MethodNotAllowed, "method-not-allowed",
                "this server was started with --disable-delete: chart versions cannot be deleted over HTTP", DeletedFile(context)).ConfigureAwait(false);
            return;
        }
        if (await AuthorizedAsync(context, WriteAudit.Delete).ConfigureAwait(false) is not { } writer)
        {
            return;
        }
        string name = (string)context.Request.RouteValues["name"]!;
        string version = (string)context.Request.RouteValues["version"]!;
        bool removed;
        try
        {
            removed = await ChartPublisher.RemoveAsync(options.RepositoryDir, name, version, Now, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFull.Is(e))
        {
            await InsufficientStorageAsync(context, WriteAudit.Delete, writer, DeletedFile(context), e).ConfigureAwait(false);
            return;
        }
        catch (ChartsealException e)
        {
            // A repository the server cannot change (a damaged index.yaml): the operator needs its file and reason, as an upload gives them.
            await RefuseAsync(context, WriteAudit.Delete, writer, StatusCodes.Status500InternalServerError, "server-error", e.Message, DeletedFile(context)).ConfigureAwait(false);
            return;
        }
        finally
        {
            index.Invalidate();
        }
        if (removed)
        {
            await snapshots.AfterChangeAsync().ConfigureAwait(false);
        }
        if (!removed)
        {
            await RefuseAsync(context, WriteAudit.Delete, writer, StatusCodes.Status404NotFound, "not-found", $"no chart {name} {version}", DeletedFile(context)).ConfigureAwait(false);
            return;
        }
        audit.Accepted(context, WriteAudit.Delete, "deleted", StatusCodes.Status200OK, writer, name, version, DeletedFile(context), "");
        await ApiJson.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("deleted", true);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// 400 for a malformed request, 404 when a re-signed version is not published (the CLI's --resign-only), 409 when
    /// the version exists, 422 for every verification and trust reason.
    /// </summary>
    internal static int StatusFor(RejectionReason reason) => reason switch
    {
        RejectionReason.Malformed => StatusCodes.Status400BadRequest,
        RejectionReason.VersionNotFound => StatusCodes.Status404NotFound,
        RejectionReason.VersionExists => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private DateTime Now => options.Clock.GetUtcNow().UtcDateTime;

    // Who is writing (a token, user or address), or null after answering 401.
    private async Task<string?> AuthorizedAsync(HttpContext context, string operation)
    {
        if (access.Refusal(context, out string writer) is not { } refusal)
        {
            return writer;
        }
        context.Response.Headers.WWWAuthenticate = access.Challenges;
        await RefuseAsync(context, operation, Unauthenticated, StatusCodes.Status401Unauthorized, "unauthorized", refusal,
            operation == WriteAudit.Delete ? DeletedFile(context) : "").ConfigureAwait(false);
        return null;
    }

    // The root to check uploads against: the pinned one, else the one the repository declares (pinned from then on).
    private async Task<PinnedRoot?> RootAsync(HttpContext context, string operation, string writer, string sourceName)
    {
        try
        {
            // The one trust-on-first-use rule, shared with the page and readiness; the gate then verifies every upload's
            // trust material against this pin.
            var (root, pinned) = await pin.GetAsync(context.RequestAborted).ConfigureAwait(false);
            if (pinned)
            {
                ServerLog.PinnedDeclaredRoot(logger, root.Fingerprint);
            }
            return root;
        }
        catch (ChartsealException e)
        {
            await RefuseAsync(context, operation, writer, StatusCodes.Status422UnprocessableEntity, RejectionReason.TrustUnsigned.Name(),
                "the repository has no usable trust material: " + e.Message, sourceName).ConfigureAwait(false);
            return null;
        }
    }

    // ChartMuseum's answer to a storage failure: 507, and the repository as it was (writes go to temporary files first).
    private Task InsufficientStorageAsync(HttpContext context, string operation, string writer, string file, Exception e) =>
        RefuseAsync(context, operation, writer, StatusCodes.Status507InsufficientStorage, "insufficient-storage",
            $"the server has no room to store this (disk full, quota or file size limit: {e.Message}); the repository is unchanged", file);

    // Every refused write answers here: one audit line, the metrics, and the JSON error.
    private Task RefuseAsync(HttpContext context, string operation, string writer, int status, string reason, string message, string file = "", string key = "")
    {
        audit.Refused(context, operation, writer, status, reason, file, key, message);
        return ApiJson.ErrorAsync(context, status, reason, message);
    }

    // The key a .prov names as its signer (its issuer subpacket): reported in a refusal's audit line, never trusted.
    private static string ClaimedKey(byte[]? provenance) =>
        ProvenanceIssuer.Read(provenance) is [var first, ..] ? first.Fingerprint ?? first.KeyId : "";

    private static string DeletedFile(HttpContext context) =>
        $"{context.Request.RouteValues["name"]}-{context.Request.RouteValues["version"]}.tgz";

    private static async Task<byte[]> ReadAsync(IFormFile file, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
