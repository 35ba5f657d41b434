namespace PetSitter.Email;

/// <summary>Where a channel put a message it accepted.</summary>
public sealed class DeliveryReceipt
{
    /// <summary>Creates a receipt.</summary>
    /// <param name="location">Where the message went: a server (<c>smtp.gmail.com:587</c>) or a file path.</param>
    /// <param name="serverReply">The server's final reply, if any.</param>
    public DeliveryReceipt(string location, string? serverReply = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        Location = location;
        ServerReply = serverReply;
    }

    /// <summary>Gets where the message went: a server (<c>host:port</c>) or a file path.</summary>
    public string Location { get; }

    /// <summary>Gets the server's final reply to the message, if any.</summary>
    public string? ServerReply { get; }

    /// <inheritdoc />
    public override string ToString() => ServerReply is null ? Location : $"{Location} ({ServerReply})";
}
