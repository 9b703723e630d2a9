namespace Swarm.Storage.Tests;

public sealed class InMemoryDirectorStoreTests : DirectorStoreContractTests
{
    protected override IDirectorStore CreateStore() => new InMemoryDirectorStore();

    // Memory does not survive a restart; the same instance stands in for the reopened store.
    protected override IDirectorStore Reopen(IDirectorStore store) => store;
}
