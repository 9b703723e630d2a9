using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Swarm.Contracts.Security;
using Swarm.Director.Security;
using Swarm.Storage.Security;
using Xunit;

namespace Swarm.IntegrationTests.Security;

/// <summary>Unit tests of the director's credentials and CA (one class each, real SQLite file, fake clock).</summary>
public sealed class CredentialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-cred-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
    private readonly SqliteSecurityStore _store;
    private readonly CertificateAuthority _ca;
    private readonly Credentials _credentials;

    public CredentialsTests()
    {
        _store = new SqliteSecurityStore(Path.Combine(_dir, "security.db"));
        _ca = CertificateAuthority.LoadOrCreate(_dir, ["localhost", "127.0.0.1"], _time);
        _credentials = new Credentials(_store, _ca, _time);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Key_AuthenticatesAsItsTenantAndRoles_UntilRevoked()
    {
        var (key, record) = _credentials.CreateKey("alpha", ["submit"], "ci");

        var p = _credentials.Authenticate(key)!;
        Assert.Equal("alpha", p.Tenant);
        Assert.True(p.Has(Roles.Submit) && p.Has(Roles.Read));
        Assert.False(p.Has(Roles.Operator));
        Assert.True(p.Sees("alpha"));
        Assert.False(p.Sees("beta"));
        Assert.True(_credentials.RevokeKey(record.Id));
        Assert.Null(_credentials.Authenticate(key));
    }

    [Property(MaxTest = 200)]
    public Property Key_AnyChangedCharacter_DoesNotAuthenticate() =>
        Prop.ForAll(Gen.Choose(0, 1000).Select(i => i).ToArbitrary(), Gen.Elements('A', 'b', '0', '-', '_', '.').ToArbitrary(), (position, c) =>
        {
            var (key, _) = _credentials.CreateKey("alpha", ["read"], "");
            var i = position % key.Length;
            var tampered = key[..i] + c + key[(i + 1)..];
            return tampered == key || _credentials.Authenticate(tampered) is null;
        });

    [Fact]
    public void Key_BadTenantOrRole_Refused()
    {
        Assert.Throws<ArgumentException>(() => _credentials.CreateKey("bad tenant!", ["read"], ""));
        Assert.Throws<ArgumentException>(() => _credentials.CreateKey("alpha", ["root"], ""));
        Assert.Throws<ArgumentException>(() => _credentials.CreateKey("alpha", [], ""));
    }

    [Fact]
    public void Enrol_IssuesACertificateBoundToTheProbe_ThatOnlyThisCaValidates()
    {
        var (token, _) = _credentials.CreateToken(TimeSpan.FromHours(1), 1, "", "test");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=whatever-the-probe-asks", key, HashAlgorithmName.SHA256).CreateSigningRequest();

        using var cert = _credentials.Enrol(token, "p1", csr, out var refusal, out var problem)!;

        Assert.Equal(EnrolRefusal.None, refusal);
        Assert.Equal("", problem);
        Assert.Equal("p1", cert.GetNameInfo(X509NameType.SimpleName, false)); // the subject is the director's choice
        Assert.Equal("p1", _credentials.ProbeOf(cert));
        Assert.True(PinnedTrust.Validates(_ca.Certificate, cert, PinnedTrust.ClientAuth));
        Assert.False(PinnedTrust.Validates(_ca.Certificate, cert, PinnedTrust.ServerAuth));
        Assert.EndsWith(PinnedTrust.Fingerprint(_ca.Certificate), token, StringComparison.Ordinal);

        using var otherDir = new TempDir();
        using var otherCa = CertificateAuthority.LoadOrCreate(otherDir.Path, ["localhost"], _time);
        Assert.False(PinnedTrust.Validates(otherCa.Certificate, cert, PinnedTrust.ClientAuth));
        Assert.True(_credentials.RevokeProbe("p1"));
        Assert.Null(_credentials.ProbeOf(cert));
    }

    [Fact]
    public void Enrol_ExpiredTokenOrForeignSignature_Refused()
    {
        var (token, _) = _credentials.CreateToken(TimeSpan.FromMinutes(5), 1, "", "test");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var corrupt = (byte[])csr.Clone();
        corrupt[^5] ^= 0xFF;

        Assert.Null(_credentials.Enrol(token, "p2", corrupt, out var bad, out _));
        Assert.Equal(EnrolRefusal.Malformed, bad);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(_credentials.Enrol(token, "p2", csr, out var late, out var why));
        Assert.Equal(EnrolRefusal.Denied, late);
        Assert.Contains("expired", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Ca_IsReusedAcrossStarts_ServerCertificateReissuedWhenNamesChange()
    {
        using var again = CertificateAuthority.LoadOrCreate(_dir, ["localhost", "127.0.0.1"], _time);
        using var renamed = CertificateAuthority.LoadOrCreate(_dir, ["localhost", "127.0.0.1", "director.example"], _time);

        Assert.Equal(_ca.Fingerprint, again.Fingerprint);
        Assert.Equal(_ca.ServerCertificate.Thumbprint, again.ServerCertificate.Thumbprint);
        Assert.Equal(_ca.Fingerprint, renamed.Fingerprint);
        Assert.NotEqual(_ca.ServerCertificate.Thumbprint, renamed.ServerCertificate.Thumbprint);
        Assert.True(PinnedTrust.Validates(_ca.Certificate, renamed.ServerCertificate, PinnedTrust.ServerAuth));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "tls", "ca.key")));
        }
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("swarm-ca2-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
