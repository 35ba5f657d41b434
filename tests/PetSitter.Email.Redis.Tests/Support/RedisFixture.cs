using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>One redis-server for a collection of tests; each test isolates itself with its own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _admin;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis server has not started.");

    public string ConnectionString => Server.ConnectionString;

    /// <summary>Gets a connection for the tests' own reads and writes (inspecting keys, TTLs).</summary>
    public IDatabase Admin => (_admin ?? throw new InvalidOperationException("Not connected.")).GetDatabase();

    public IServer AdminServer => _admin!.GetServer(_admin.GetEndPoints()[0]);

    public static string NewPrefix() => $"test-{Guid.NewGuid():N}:";

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisGroup : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

/// <summary>Tests that stop and restart their server: a server of their own, so other tests never see the outage.</summary>
[CollectionDefinition(Name)]
public sealed class RedisOutageGroup : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis-outage";
}
