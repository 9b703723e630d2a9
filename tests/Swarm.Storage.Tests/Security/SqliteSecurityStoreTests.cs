using Swarm.Storage.Security;
using Xunit;

namespace Swarm.Storage.Tests.Security;

public sealed class SqliteSecurityStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-sec-").FullName;

    private SqliteSecurityStore Open() => new(Path.Combine(_dir, "security.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Keys_SurviveReopen_RevokeOnce()
    {
        using (var store = Open())
        {
            store.AddKey(new StoredKey("k1", [1, 2, 3], "alpha", ["submit", "read"], "ci", 1000, 0));
            Assert.True(store.RevokeKey("k1", 2000));
            Assert.False(store.RevokeKey("k1", 3000));
            Assert.False(store.RevokeKey("nope", 3000));
        }

        using var again = Open();
        var k = again.FindKey("k1")!;
        Assert.Equal(["submit", "read"], k.Roles);
        Assert.Equal(2000, k.RevokedUnixMs);
        Assert.Equal(new byte[] { 1, 2, 3 }, k.SecretHash);
        Assert.Null(again.FindKey("k2"));
    }

    [Fact]
    public void Tokens_UsesExpiryBindingAndTakenIds()
    {
        using var store = Open();
        store.AddToken(new StoredToken("t1", [9], 10_000, 2, "", "admin"));
        store.AddToken(new StoredToken("t2", [9], 10_000, 5, "only", "admin"));

        Assert.Equal(TokenUse.Unknown, store.UseToken("t1", _ => false, "a", "thumb-a", 1));
        Assert.Equal(TokenUse.Expired, store.UseToken("t1", _ => true, "a", "thumb-a", 10_000));
        Assert.Equal(TokenUse.Accepted, store.UseToken("t1", _ => true, "a", "thumb-a", 1));
        Assert.Equal(TokenUse.ProbeTaken, store.UseToken("t1", _ => true, "a", "thumb-other", 1));
        Assert.Equal(TokenUse.Accepted, store.UseToken("t1", _ => true, "b", "thumb-b", 1));
        Assert.Equal(TokenUse.Spent, store.UseToken("t1", _ => true, "c", "thumb-c", 1));
        Assert.Equal(TokenUse.OtherProbe, store.UseToken("t2", _ => true, "a", "thumb-x", 1));

        Assert.Equal("thumb-a", store.ProbeThumbprint("a"));
        Assert.True(store.RevokeProbe("a", 5));
        Assert.Null(store.ProbeThumbprint("a"));
        Assert.Equal(TokenUse.Accepted, store.UseToken("t2", _ => true, "only", "thumb-o", 1));
        Assert.Null(store.ProbeThumbprint("c")); // a refused use binds nothing
    }

    [Fact]
    public void Audit_AppendsInOrder_PagesAfterASequence()
    {
        using var store = Open();
        store.AppendAudit([.. Enumerable.Range(0, 5).Select(i => new AuditRecord(0, i, "key:x", "alpha", "Submit", "workflow_id=w" + i, "ipv4:127.0.0.1:1", "ok"))]);

        var all = store.ListAudit(0, 100);
        var page = store.ListAudit(all[1].Seq, 2);

        Assert.Equal(5, all.Count);
        Assert.Equal(["workflow_id=w2", "workflow_id=w3"], page.Select(e => e.Target));
    }

    [Fact]
    public void BlobOwners_PerTenant()
    {
        using var store = Open();
        store.AddBlobOwner("abc", "alpha");
        store.AddBlobOwner("abc", "alpha");

        Assert.True(store.IsBlobOwner("abc", "alpha"));
        Assert.False(store.IsBlobOwner("abc", "beta"));
    }
}
