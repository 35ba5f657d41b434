using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PetSitter.Email.Native;

/// <summary>
/// The embedded native mailer: writes each message as one <c>.eml</c> file. A reader never sees a
/// half-written file: the message goes to a temporary file first and is then renamed into place.
/// </summary>
internal sealed partial class PickupDirectoryNativeMailer : INativeMailer
{
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PickupDirectoryNativeMailer> _logger;

    public PickupDirectoryNativeMailer(IOptions<PickupDirectoryOptions> options, TimeProvider timeProvider, ILogger<PickupDirectoryNativeMailer> logger)
    {
        _directory = Path.GetFullPath(options.Value.Directory);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Directory.CreateDirectory(_directory);

        var name = $"{_timeProvider.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid():N}.eml";
        var finalPath = Path.Combine(_directory, name);
        var tempPath = Path.Combine(_directory, "." + name + ".tmp");
        try
        {
            var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await message.WriteToAsync(FormatOptions.Default, stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(tempPath, finalPath, overwrite: false);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }

        LogWritten(_logger, message.MessageId, finalPath);
        return new DeliveryReceipt(finalPath);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The temporary file is hidden (dot-prefixed) and never renamed: leaving it is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(EventId = LogEvents.Native.Written, Level = LogLevel.Debug, Message = "Native message {MessageId} written to {Path}")]
    private static partial void LogWritten(ILogger logger, string? messageId, string path);
}
