namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>The app instances a test started, disposed together when the test ends.</summary>
internal sealed class Fleet : List<Instance>, IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var instance in this)
        {
            await instance.DisposeAsync();
        }
    }
}
