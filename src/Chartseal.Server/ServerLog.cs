using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>The server's structured log events (fields, not prose, so log pipelines can query them); the writes' audit lines are <see cref="WriteAudit"/>'s.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "serving {Repository} at {Address}")]
    public static partial void Serving(ILogger logger, string repository, string address);

    /// <summary>The event of <see cref="Ready"/>.</summary>
    public const int ReadyEvent = 3;

    /// <summary>The event of <see cref="NotReady"/>.</summary>
    public const int NotReadyEvent = 4;

    [LoggerMessage(EventId = ReadyEvent, Level = LogLevel.Information, Message = "ready: trust version {TrustVersion}, expires {TrustExpires}; index.yaml entries: {IndexEntries}")]
    public static partial void Ready(ILogger logger, long trustVersion, string trustExpires, long indexEntries);

    [LoggerMessage(EventId = NotReadyEvent, Level = LogLevel.Warning, Message = "not ready: {Problem}")]
    public static partial void NotReady(ILogger logger, string problem);

    /// <summary>The event of <see cref="Settings"/>.</summary>
    public const int SettingsEvent = 5;

    [LoggerMessage(EventId = SettingsEvent, Level = LogLevel.Information,
        Message = "settings: reads {Reads}, uploads {Uploads}, delete {Delete}, overwrite {Overwrite}, root {Root}, index signing {IndexKey}, metrics {Metrics}, max upload {MaxUploadBytes} bytes, {WritesPerMinute} writes per minute, tls {Tls}")]
    public static partial void Settings(ILogger logger, string reads, string uploads, string delete, string overwrite, string root, string indexKey, string metrics, long maxUploadBytes, int writesPerMinute, string tls);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "no --root-fingerprint given: pinned root {Fingerprint} declared by the repository's own trust material")]
    public static partial void PinnedDeclaredRoot(ILogger logger, string fingerprint);

    /// <summary>The event of <see cref="TrustStateInMemory"/>.</summary>
    public const int TrustStateInMemoryEvent = 6;

    [LoggerMessage(EventId = TrustStateInMemoryEvent, Level = LogLevel.Warning,
        Message = "the trust state is kept in memory only (read-only server): {Problem}; trust versions seen are remembered until the server stops, not across restarts")]
    public static partial void TrustStateInMemory(ILogger logger, string problem);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "removed {Count} temporary files left by an interrupted writer")]
    public static partial void RemovedTemporaryFiles(ILogger logger, int count);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "signed index snapshot {Version} ({Why}) for index sha256 {IndexSha256}, trust version {TrustVersion}, expires {Expires}")]
    public static partial void SignedSnapshot(ILogger logger, long version, string why, string indexSha256, long trustVersion, string expires);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "cannot sign the index snapshot: {Message}")]
    public static partial void SnapshotFailed(ILogger logger, string message);

    /// <summary>The event of <see cref="TlsCertificateReloaded"/>.</summary>
    public const int TlsReloadedEvent = 40;

    /// <summary>The event of <see cref="TlsProblem"/>.</summary>
    public const int TlsProblemEvent = 41;

    /// <summary>The event of <see cref="TlsCertificateNotYetValid"/>.</summary>
    public const int TlsNotYetValidEvent = 42;

    /// <summary>The event of <see cref="TlsClientRefused"/>.</summary>
    public const int TlsClientRefusedEvent = 43;

    /// <summary>The event of <see cref="TlsClientAuthoritiesReloaded"/>.</summary>
    public const int TlsClientCasReloadedEvent = 44;

    [LoggerMessage(EventId = TlsClientCasReloadedEvent, Level = LogLevel.Information, Message = "tls client CAs reloaded from {CaFile}: client certificates must now chain to one of its {Count} CA certificate(s)")]
    public static partial void TlsClientAuthoritiesReloaded(ILogger logger, string caFile, int count);

    [LoggerMessage(EventId = TlsReloadedEvent, Level = LogLevel.Information, Message = "tls certificate reloaded from {CertFile}: now serving {Certificate}")]
    public static partial void TlsCertificateReloaded(ILogger logger, string certFile, string certificate);

    [LoggerMessage(EventId = TlsProblemEvent, Level = LogLevel.Error, Message = "tls: {Problem}")]
    public static partial void TlsProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = TlsNotYetValidEvent, Level = LogLevel.Warning, Message = "tls certificate {Certificate} is not valid yet: clients refuse it until then (is the clock right?)")]
    public static partial void TlsCertificateNotYetValid(ILogger logger, string certificate);

    [LoggerMessage(EventId = TlsClientRefusedEvent, Level = LogLevel.Information, Message = "tls handshake refused from {Client}: {Reason}")]
    public static partial void TlsClientRefused(ILogger logger, string client, string reason);
}
