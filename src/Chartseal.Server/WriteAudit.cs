using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>
/// The audit trail of writes: one log line (category <see cref="Category"/>) for every accepted, held or refused
/// upload, re-signing and delete, with who (the token, user or address that wrote), which chart and version (or, for a
/// refusal, the file as sent), which signing key (the verified signer, or for a refusal the key the <c>.prov</c> names
/// as its issuer, unverified), the HTTP status and the reason code; and the matching <see cref="ServerMetrics"/>
/// counts. The request's id is on the line through the request's log scope.
/// </summary>
internal sealed partial class WriteAudit(ILogger logger, ServerMetrics metrics)
{
    /// <summary>The log category of audit lines.</summary>
    public const string Category = "Chartseal.Server.Audit";

    /// <summary>An upload of a chart (with or without its .prov).</summary>
    public const string Upload = "upload";

    /// <summary>An upload of a .prov alone.</summary>
    public const string ProvenanceUpload = "provenance-upload";

    /// <summary>A delete of a chart version.</summary>
    public const string Delete = "delete";

    /// <summary>
    /// A write that changed the repository, or a half held for its other half. <paramref name="outcome"/> is
    /// <c>published</c>, <c>resigned</c> (only the .prov was replaced), <c>held</c> or <c>deleted</c>.
    /// </summary>
    public void Accepted(HttpContext context, string operation, string outcome, int status, string writer, string chart, string version, string file, string key)
    {
        Accepted(logger, operation, outcome, Dash(chart), Dash(version), Dash(file), writer, Client(context), Dash(key), status);
        if (operation == Delete)
        {
            metrics.Delete(outcome, null);
            return;
        }
        metrics.Upload(operation, outcome, null);
        if (outcome is "published" or "resigned")
        {
            metrics.Verification(null);
        }
    }

    /// <summary>A refused write: nothing changed. A 422 is a refusal of the gate (a verification or trust reason).</summary>
    public void Refused(HttpContext context, string operation, string writer, int status, string reason, string file, string key, string detail)
    {
        Refused(logger, operation, "refused", Dash(file), writer, Client(context), Dash(key), status, reason, detail);
        if (operation == Delete)
        {
            metrics.Delete("refused", reason);
            return;
        }
        metrics.Upload(operation, "refused", reason);
        if (status == StatusCodes.Status422UnprocessableEntity)
        {
            metrics.Verification(reason);
        }
    }

    /// <summary>The operation a write request is, from its method and path (for refusals before any handler runs).</summary>
    public static string OperationOf(HttpRequest request) =>
        HttpMethods.IsDelete(request.Method) ? Delete
        : request.Path.StartsWithSegments("/api/prov", StringComparison.Ordinal) ? ProvenanceUpload
        : Upload;

    // An unknown field is "-", as in access logs, so that lines stay readable and fields are never empty.
    private static string Dash(string value) => value.Length == 0 ? "-" : value;

    private static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "{Operation} {Outcome}: {Chart} {Version} ({File}) by {Writer} from {Client}, key {Key}, status {Status}")]
    private static partial void Accepted(ILogger logger, string operation, string outcome, string chart, string version, string file, string writer, string client, string key, int status);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning,
        Message = "{Operation} {Outcome}: {File} by {Writer} from {Client}, key {Key}, status {Status} {Reason}: {Detail}")]
    private static partial void Refused(ILogger logger, string operation, string outcome, string file, string writer, string client, string key, int status, string reason, string detail);
}
