using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>The server's structured log events (fields, not prose, so log pipelines can query them).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "serving {Repository} at {Address}")]
    public static partial void Serving(ILogger logger, string repository, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "no --root-fingerprint given: pinned root {Fingerprint} declared by the repository's own trust material")]
    public static partial void PinnedDeclaredRoot(ILogger logger, string fingerprint);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "published {Chart} {Version} signed by {Signer} from {Client}")]
    public static partial void Published(ILogger logger, string chart, string version, string signer, string client);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "refused {Operation} from {Client}: {Reason}: {Detail}")]
    public static partial void Refused(ILogger logger, string operation, string client, string reason, string detail);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "deleted {Chart} {Version} from {Client}")]
    public static partial void Deleted(ILogger logger, string chart, string version, string client);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "replaced the provenance of {Chart} {Version}, now signed by {Signer}, from {Client}")]
    public static partial void ProvenanceReplaced(ILogger logger, string chart, string version, string signer, string client);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "holding half of {File} from {Client} until its {Missing} arrives")]
    public static partial void Held(ILogger logger, string file, string missing, string client);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "removed {Count} temporary files left by an interrupted writer")]
    public static partial void RemovedTemporaryFiles(ILogger logger, int count);
}
