namespace Chartseal.Oci;

/// <summary>
/// The credentials for one registry, as a Docker-format config file holds them (<c>auths.HOST</c>): a user name and
/// password (from <c>auth</c>, base64 of <c>user:password</c>, or the legacy <c>username</c> and <c>password</c>), an
/// identity token (<c>identitytoken</c>, an OAuth2 refresh token for the token service) or a registry token
/// (<c>registrytoken</c>, a bearer token sent to the registry as it is).
/// </summary>
/// <param name="Username">The user name, or null.</param>
/// <param name="Password">The password, or null.</param>
/// <param name="Source">Where the credentials come from, for messages (a file, or <c>--username/--password</c>); never the secret itself.</param>
public sealed record RegistryCredential(string? Username, string? Password, string Source)
{
    /// <summary>An OAuth2 refresh token for the registry's token service, or null.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>A bearer token for the registry itself, or null.</summary>
    public string? RegistryToken { get; init; }

    /// <summary>Whether there is a user name and password (for HTTP Basic, or for the token service).</summary>
    public bool HasPassword => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password);

    /// <summary>Whether the entry holds anything at all (Docker leaves empty entries when a helper keeps the secret).</summary>
    public bool IsEmpty => !HasPassword && string.IsNullOrEmpty(IdentityToken) && string.IsNullOrEmpty(RegistryToken);

    /// <summary>Never prints the secrets.</summary>
    public override string ToString() => $"credentials for {Username ?? "(token)"} from {Source}";
}
