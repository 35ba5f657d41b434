using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The one Redis connection the stores share, opened on first use. Built from the connection string it
/// never fails start-up and fails fast while Redis is down (so the failure mode applies at once instead of
/// after a queue of timeouts); from the app's factory it is used as given and not disposed here.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisEmailOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger<RedisConnection> _logger;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;

    public RedisConnection(IOptions<RedisEmailOptions> options, IServiceProvider services, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _services = services;
        _logger = logger;
        Keys = new RedisKeys(_options.KeyPrefix);
    }

    public RedisKeys Keys { get; }

    public RedisEmailOptions Options => _options;

    /// <summary>Gets the connection once opened (for tests that wait for it to drop or come back).</summary>
    internal IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    public async ValueTask<IDatabase> GetDatabaseAsync()
    {
        var multiplexer = Volatile.Read(ref _multiplexer) ?? await ConnectAsync().ConfigureAwait(false);
        return multiplexer.GetDatabase(_options.Database);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _multiplexer is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _connectGate.Dispose();
    }

    public void Dispose()
    {
        if (_owned && _multiplexer is { } multiplexer)
        {
            multiplexer.Dispose();
        }

        _connectGate.Dispose();
    }

    /// <summary>Configuration from the connection string, with outage-friendly defaults the string did not set.</summary>
    internal static ConfigurationOptions Configure(string connectionString, TimeSpan operationTimeout)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        var text = connectionString.ToUpperInvariant();
        if (!text.Contains("ABORTCONNECT", StringComparison.Ordinal))
        {
            configuration.AbortOnConnectFail = false;
        }

        var timeoutMs = (int)operationTimeout.TotalMilliseconds;
        if (!text.Contains("ASYNCTIMEOUT", StringComparison.Ordinal))
        {
            configuration.AsyncTimeout = timeoutMs;
        }

        if (!text.Contains("SYNCTIMEOUT", StringComparison.Ordinal))
        {
            configuration.SyncTimeout = timeoutMs;
        }

        if (!text.Contains("CONNECTTIMEOUT", StringComparison.Ordinal))
        {
            configuration.ConnectTimeout = Math.Max(timeoutMs, 1000);
        }

        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "petsitter-email";
        return configuration;
    }

    private async ValueTask<IConnectionMultiplexer> ConnectAsync()
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_multiplexer is { } existing)
            {
                return existing;
            }

            IConnectionMultiplexer multiplexer;
            if (_options.ConnectionFactory is { } factory)
            {
                multiplexer = factory(_services) ?? throw new InvalidOperationException($"{nameof(RedisEmailOptions)}.{nameof(RedisEmailOptions.ConnectionFactory)} returned null.");
            }
            else
            {
                var configuration = Configure(_options.ConnectionString!, _options.OperationTimeout);
                multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                _owned = true;
                var endpoints = string.Join(", ", configuration.EndPoints);
                LogConnecting(_logger, endpoints, multiplexer.IsConnected);
            }

            Volatile.Write(ref _multiplexer, multiplexer);
            return multiplexer;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    [LoggerMessage(EventId = RedisLogEvents.Connection.Connecting, Level = LogLevel.Information, Message = "PetSitter.Email uses Redis at {Endpoints} (connected now: {Connected})")]
    private static partial void LogConnecting(ILogger logger, string endpoints, bool connected);
}
