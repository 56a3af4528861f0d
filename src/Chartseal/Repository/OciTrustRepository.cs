using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Oci;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// The maintainers' trust writer for a registry namespace: every <see cref="TrustRepository"/> change (init, add,
/// remove, revoke, renew, rotate-root) runs unchanged on a private working copy of the namespace's trust files, and the
/// result is pushed back as the trust artifact (<see cref="OciTrustArtifact"/>) only if the tag still holds the artifact
/// the copy was made from, so that two writers cannot silently overwrite each other. The root signs on this machine; no
/// private key ever goes to the registry.
/// </summary>
public static class OciTrustRepository
{
    /// <summary>
    /// Pulls the namespace's trust files into a temporary folder, runs <paramref name="change"/> on it, and pushes the
    /// files it leaves. <paramref name="creating"/> is true for <c>trust init</c>, which needs a namespace without trust
    /// material; every other change needs one with it.
    /// </summary>
    /// <param name="client">The registry client (credentials with push access).</param>
    /// <param name="namespace">The namespace, <c>oci://HOST/NS</c>.</param>
    /// <param name="creating">True for init.</param>
    /// <param name="change">The <see cref="TrustRepository"/> change, given the working copy's folder.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The manifest the change signed.</returns>
    /// <exception cref="ChartsealException">No (or already) trust material, the change's own refusals, the tag moved meanwhile, or a failed request.</exception>
    public static async Task<TrustManifest> ChangeAsync(OciRegistryClient client, OciReference @namespace, bool creating,
        Func<string, CancellationToken, Task<TrustManifest>> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(change);
        OciReference reference = OciTrustArtifact.ReferenceIn(@namespace);
        OciTrustSnapshot? current = await OciTrustArtifact.ReadAsync(client, @namespace, cancellationToken).ConfigureAwait(false);
        if (creating && current is not null)
        {
            throw new ChartsealException(reference.ToString(), "already holds trust material; use trust add/remove/revoke/renew");
        }
        if (!creating && current?.Files.Manifest is null)
        {
            throw new ChartsealException(reference.ToString(), "not found: the namespace has no root-signed trust material (run chartseal trust init)");
        }
        DirectoryInfo copy = Directory.CreateTempSubdirectory("chartseal-trust-");
        try
        {
            if (current is not null)
            {
                await WriteAsync(copy.FullName, current.Files, cancellationToken).ConfigureAwait(false);
            }
            TrustManifest manifest;
            try
            {
                manifest = await change(copy.FullName, cancellationToken).ConfigureAwait(false);
            }
            catch (ChartsealException e) when (e.File is { } file && file.StartsWith(copy.FullName, StringComparison.Ordinal))
            {
                // Name the artifact, not the private working copy.
                throw new ChartsealException($"{reference} ({Path.GetRelativePath(copy.FullName, file)})", e.Reason, e);
            }
            TrustFiles written;
            using (var folder = new FolderRepositorySource(copy.FullName))
            {
                written = await folder.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
            }
            await OciTrustArtifact.PushAsync(client, @namespace, written, current?.Digest, cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs a <see cref="TrustRepository"/> change on a repository folder, or through <see cref="ChangeAsync"/> on the
    /// trust artifact of a registry namespace (<c>oci://HOST/NS</c>, reached with <paramref name="registry"/>).
    /// <paramref name="memory"/>, the signers' <see cref="RootSigner.Memory"/>, records what they signed in a
    /// namespace only once it is pushed (<see cref="SignedVersionStore.RecordIfPublishedAsync"/>).
    /// </summary>
    /// <exception cref="ChartsealException">As for the change, and for <see cref="ChangeAsync"/>.</exception>
    public static async Task<TrustManifest> ChangeAtAsync(string location, OciRegistryOptions registry, bool creating,
        Func<string, CancellationToken, Task<TrustManifest>> change, SignedVersionStore? memory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(change);
        if (!OciRepositorySource.IsOciLocation(location))
        {
            return await change(location, cancellationToken).ConfigureAwait(false);
        }
        OciReference @namespace = OciRepositorySource.ParseNamespace(location);
        using var client = new OciRegistryClient(registry);
        Task<TrustManifest> ChangeAndPush() => ChangeAsync(client, @namespace, creating, change, cancellationToken);
        return await (memory is null ? ChangeAndPush() : memory.RecordIfPublishedAsync(ChangeAndPush)).ConfigureAwait(false);
    }

    /// <summary>
    /// Where a root's memory of what it signed (<see cref="RootSigner.RememberedAs"/>) records the repository at
    /// <paramref name="location"/>: the canonical namespace for <c>oci://</c> (its working copies are temporary folders),
    /// null for a folder (recorded as itself).
    /// </summary>
    /// <exception cref="ChartsealException">An <c>oci://</c> location that is not a namespace.</exception>
    public static string? RememberedAs(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return OciRepositorySource.IsOciLocation(location) ? OciRepositorySource.CanonicalLocation(OciRepositorySource.ParseNamespace(location)) : null;
    }

    private static async Task WriteAsync(string directory, TrustFiles files, CancellationToken cancellationToken)
    {
        foreach (string name in TrustFiles.AllNames)
        {
            byte[]? bytes = files.Of(name);
            if (bytes is not null)
            {
                await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
