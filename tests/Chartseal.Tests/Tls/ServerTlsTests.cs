using System.IO.Pipes;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Chartseal.Tests.Support;
using Chartseal.Tls;

namespace Chartseal.Tests.Tls;

/// <summary>
/// The server certificate that follows its files: looked at no more often than its check interval (a renewal waits for
/// the next look), then read again when the content changed; a look that finds the same bytes reads nothing more.
/// </summary>
public sealed class ServerTlsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TestCertificateAuthority _ca = new("Chartseal test CA");

    public void Dispose()
    {
        _ca.Dispose();
        _temp.Dispose();
    }

    private string Write(bool ec)
    {
        using X509Certificate2 certificate = _ca.IssueLoopbackServer(ec);
        TestCertificateAuthority.WritePem(certificate, _temp.File("tls.crt"), _temp.File("tls.key"));
        return certificate.Thumbprint;
    }

    [Fact]
    public void Renewal_IsServedAtTheFirstLookAfterTheInterval_NotBefore()
    {
        string first = Write(ec: false);
        var tls = ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), null, TimeProvider.System, TimeSpan.FromMilliseconds(300));
        var reloaded = new List<string>();
        tls.Reloaded = pair => reloaded.Add(pair.Certificate.Thumbprint);

        string second = Write(ec: true);
        tls.CheckFiles();
        Assert.Equal(first, tls.Current.Certificate.Thumbprint); // within the interval: not looked at

        Thread.Sleep(400);
        _ = tls.ForConnection();
        Assert.Equal(second, tls.Current.Certificate.Thumbprint);
        Assert.Equal([second], reloaded);

        Thread.Sleep(400);
        tls.CheckFiles(); // the same bytes: nothing read again, nothing reported
        Assert.Equal([second], reloaded);
    }

    [Fact]
    public void ClientCertificates_AskedForOnlyWithACaFile()
    {
        Write(ec: true);
        File.WriteAllText(_temp.File("ca.pem"), _ca.Pem);

        var open = ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), null, TimeProvider.System, TimeSpan.FromSeconds(1));
        var mutual = ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), _temp.File("ca.pem"), TimeProvider.System, TimeSpan.FromSeconds(1));

        Assert.False(open.ForConnection().ClientCertificateRequired);
        Assert.True(mutual.ForConnection().ClientCertificateRequired);
        Assert.Null(open.WhyNotAccepted(null, null));
        Assert.StartsWith("no client certificate", mutual.WhyNotAccepted(null, null), StringComparison.Ordinal);
        using X509Certificate2 client = _ca.IssueClient("ci");
        Assert.Null(mutual.WhyNotAccepted(client, null));
        Assert.False(open.FollowsClientAuthorities);
        Assert.True(mutual.FollowsClientAuthorities);
    }

    [Fact]
    public void ClientCaFile_CaughtHalfWrittenAfterItsFirstCertificate_KeepsThePreviousCas()
    {
        // A bundle rewritten in place (cp, an editor) may be read between its first certificate and the end of the next:
        // taking the complete ones would refuse the other CAs' clients until the next look.
        Write(ec: false);
        using var other = new TestCertificateAuthority("Partner CA");
        using var third = new TestCertificateAuthority("Third CA");
        string whole = _ca.Pem + "\n" + other.Pem + "\n" + third.Pem;
        File.WriteAllText(_temp.File("ca.pem"), whole);
        var tls = ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), _temp.File("ca.pem"), TimeProvider.System, TimeSpan.Zero);
        var problems = new List<string>();
        var reloaded = new List<int>();
        tls.Problem = problems.Add;
        tls.ClientAuthoritiesReloaded = cas => reloaded.Add(cas.Count);

        File.WriteAllText(_temp.File("ca.pem"), whole[..(_ca.Pem.Length + (other.Pem.Length / 2))]);
        tls.CheckFiles();

        Assert.Equal(3, tls.ClientAuthorities!.Count);
        Assert.Empty(reloaded);
        Assert.Contains("changed, but it cannot be used, so its previous 3 CA certificate(s) still count: ", Assert.Single(problems), StringComparison.Ordinal);
        Assert.Contains("certificate 2 is not complete", problems[0], StringComparison.Ordinal);

        File.WriteAllText(_temp.File("ca.pem"), whole);
        tls.CheckFiles();
        Assert.Equal([3], reloaded);
    }

    [Fact]
    public void ClientCaFile_ReadAgainAtALookAfterItsContentChanged_AnUnusableOneReportedOnce()
    {
        Write(ec: false);
        using var other = new TestCertificateAuthority("Partner CA");
        File.WriteAllText(_temp.File("ca.pem"), _ca.Pem);
        var tls = ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), _temp.File("ca.pem"), TimeProvider.System, TimeSpan.Zero);
        var reloaded = new List<int>();
        var problems = new List<string>();
        tls.ClientAuthoritiesReloaded = cas => reloaded.Add(cas.Count);
        tls.Problem = problems.Add;
        using X509Certificate2 partner = other.IssueClient("partner");
        Assert.Contains("not issued by a CA of", tls.WhyNotAccepted(partner, null), StringComparison.Ordinal);

        tls.CheckFiles(); // the same bytes: nothing reloaded
        File.WriteAllText(_temp.File("ca.pem"), _ca.Pem + "\n" + other.Pem);
        tls.CheckFiles();
        Assert.Equal([2], reloaded);
        Assert.Null(tls.WhyNotAccepted(partner, null));

        File.WriteAllText(_temp.File("ca.pem"), "not a certificate");
        tls.CheckFiles();
        tls.CheckFiles();
        Assert.Equal(2, tls.ClientAuthorities!.Count);
        Assert.Contains("changed, but it cannot be used, so its previous 2 CA certificate(s) still count", Assert.Single(problems), StringComparison.Ordinal);

        File.Delete(_temp.File("ca.pem"));
        tls.CheckFiles();
        tls.CheckFiles();
        Assert.Equal(2, problems.Count);
        Assert.Contains("cannot be read, so its previous 2 CA certificate(s) still count", problems[1], StringComparison.Ordinal);
        Assert.Null(tls.WhyNotAccepted(partner, null));
    }

    [Fact]
    public void Pipes_AsAShellsProcessSubstitutionGivesThem_AreReadOnce_AndNotLookedAtAgain()
    {
        // chartseal serve --tls-cert <(vault read …) --tls-key <(vault read …): what is read is gone from the pipe.
        using X509Certificate2 certificate = _ca.IssueLoopbackServer(ec: true);
        using var cert = new SubstitutedFile(certificate.ExportCertificatePem());
        using var key = new SubstitutedFile(TestCertificateAuthority.KeyPem(certificate));

        var tls = ServerTls.Load(cert.Path, key.Path, null, TimeProvider.System, TimeSpan.Zero);
        var problems = new List<string>();
        tls.Problem = problems.Add;
        tls.CheckFiles();
        _ = tls.ForConnection();

        Assert.Equal(certificate.Thumbprint, tls.Current.Certificate.Thumbprint);
        Assert.Empty(problems);
    }

    [Fact]
    public void OneFileHoldingTheCertificateAndTheKey_GivenAsAPipe_IsReadOnce()
    {
        using X509Certificate2 certificate = _ca.IssueLoopbackServer(ec: false);
        using var both = new SubstitutedFile(certificate.ExportCertificatePem() + "\n" + TestCertificateAuthority.KeyPem(certificate));

        var tls = ServerTls.Load(both.Path, both.Path, null, TimeProvider.System, TimeSpan.Zero);

        Assert.Equal(certificate.Thumbprint, tls.Current.Certificate.Thumbprint);
    }

    // What bash's <(…) hands a program: /dev/fd/N, the read end of a pipe whose writer wrote everything and ended.
    private sealed class SubstitutedFile : IDisposable
    {
        private readonly Microsoft.Win32.SafeHandles.SafePipeHandle _read;

        public SubstitutedFile(string text)
        {
            using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
            _read = pipe.ClientSafePipeHandle; // taken: disposing the writer leaves it open
            pipe.Write(Encoding.UTF8.GetBytes(text));
            Path = $"/dev/fd/{_read.DangerousGetHandle()}";
        }

        public string Path { get; }

        public void Dispose() => _read.Dispose();
    }
}
